/**
 * The vocabulary the coordinator and nodes speak. A round is a conversation of typed messages
 * (stats, train, evaluate, histogram, later secure-aggregation stages), each carrying a job and
 * round id, named numeric arrays and scalar config values, and an error slot on replies.
 * Both the in-process and the networked transports carry exactly these objects.
 */

/** Message types understood by nodes. */
export type MessageType =
  | 'stats' // local sufficient statistics for preprocessing
  | 'train' // local training from the given parameters
  | 'evaluate' // local evaluation: metrics and score histograms
  | 'histogram' // generic histogram / count request
  | (string & {}); // later: secagg stages, tree levels, analytics

/** A scalar configuration value. */
export type ConfigValue = number | string | boolean;

/** A request from the coordinator side to one node. */
export interface Message {
  readonly messageId: string;
  readonly type: MessageType;
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  /** Named numeric payload (parameters, statistics, histograms). */
  readonly arrays: Readonly<Record<string, Float64Array>>;
  readonly config: Readonly<Record<string, ConfigValue>>;
  /** Deadline (epoch ms) after which the coordinator no longer waits for the reply. */
  readonly deadline?: number;
}

/** A coded failure carried by a reply instead of a payload. */
export interface ReplyError {
  readonly code: string;
  readonly message: string;
}

/** A node's answer to one {@link Message}. */
export interface Reply {
  readonly replyTo: string;
  readonly type: MessageType;
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  readonly arrays: Readonly<Record<string, Float64Array>>;
  readonly config: Readonly<Record<string, ConfigValue>>;
  readonly error?: ReplyError;
}

let counter = 0;

/** Build a message with a fresh id. */
export function createMessage(fields: Omit<Message, 'messageId' | 'arrays' | 'config'> & Partial<Pick<Message, 'arrays' | 'config'>>): Message {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return {
    messageId: `${fields.jobId}:${fields.round}:${fields.type}:${fields.nodeId}:${counter}`,
    arrays: {},
    config: {},
    ...fields,
  };
}

/** Build the reply to `message` from a handler's result. */
export function replyTo(message: Message, content: { arrays?: Record<string, Float64Array>; config?: Record<string, ConfigValue>; error?: ReplyError }): Reply {
  return {
    replyTo: message.messageId,
    type: message.type,
    jobId: message.jobId,
    round: message.round,
    nodeId: message.nodeId,
    arrays: content.arrays ?? {},
    config: content.config ?? {},
    ...(content.error ? { error: content.error } : {}),
  };
}
