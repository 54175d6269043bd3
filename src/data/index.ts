/**
 * Public API of the data domain: schemas (built-in and inferred), strict CSV loading, stratified
 * splits and the partitioning of rows among simulated lenders.
 */
export * from './schema.js';
export { DEFAULT_MISSING_TOKENS, parseDecimal } from './cells.js';
export { loadCsv, parseCsvText, type LoadCsvOptions } from './csv.js';
export {
  inferSchema,
  inferSchemaFromText,
  type CategoryCount,
  type ColumnSummary,
  type InferredSchema,
  type InferSchemaOptions,
  type SchemaSummary,
} from './infer.js';
export { formatSchemaSummary, type FormatSummaryOptions } from './summary.js';
export { indicesByClass, stratifiedKFold, stratifiedSplit, type SplitIndices } from './split.js';
export {
  describePartition,
  formatPartitionSpec,
  parsePartitionSpec,
  partition,
  type PartitionOptions,
  type PartitionSpec,
  type PartShare,
} from './partition.js';
export { partitionByAttribute, type AttributeBand, type AttributePartition } from './partitionAttr.js';
export type { PartitionFloor } from './partitionSkew.js';
export { germanSchema, GERMAN_FIELDS } from './builtin/german.js';
export { creditDataSchema } from './builtin/creditData.js';
export {
  builtinDataPath,
  builtinSchemas,
  dataDir,
  getBuiltinSchema,
  isBuiltinName,
  loadBuiltin,
  type BuiltinName,
} from './builtin/index.js';
