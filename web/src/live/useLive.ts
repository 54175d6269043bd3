/**
 * The live job feed: a websocket to GET /api/v1/live (same origin, the session cookie
 * authenticates it) delivering 'round' and 'status' events as the job runner commits them.
 * Reconnects with back-off after a network drop; stops for good when the server closes with
 * 4401 (the session ended), and lets the session layer find out why.
 */
import { useEffect, useRef, useState } from 'react';
import type { LiveMessage } from '../api/types.js';

/** Close code of the server when the session behind the socket ended. */
export const LIVE_SESSION_ENDED = 4401;

/** Connection state of the feed. */
export type LiveState = 'off' | 'connecting' | 'open' | 'closed';

/**
 * Subscribe to the live feed while `enabled`; `onMessage` hears every message. Returns the
 * connection state.
 */
export function useLive(enabled: boolean, onMessage: (message: LiveMessage) => void, onSessionEnded?: () => void): LiveState {
  const [state, setState] = useState<LiveState>(enabled ? 'connecting' : 'off');
  const handler = useRef(onMessage);
  const ended = useRef(onSessionEnded);
  handler.current = onMessage;
  ended.current = onSessionEnded;

  useEffect(() => {
    if (!enabled) {
      setState('off');
      return;
    }
    let socket: WebSocket | undefined;
    let stopped = false;
    let retryMs = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      setState('connecting');
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
      socket = new WebSocket(url);
      socket.onopen = () => {
        retryMs = 500;
        setState('open');
      };
      socket.onmessage = (event) => {
        try {
          handler.current(JSON.parse(String(event.data)) as LiveMessage);
        } catch {
          // a malformed frame is skipped; the next refresh of the page data catches up
        }
      };
      socket.onclose = (event) => {
        if (stopped) return;
        setState('closed');
        if (event.code === LIVE_SESSION_ENDED) {
          ended.current?.();
          return;
        }
        timer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 15_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [enabled]);

  return state;
}
