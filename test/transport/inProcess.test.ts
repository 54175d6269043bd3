import { InProcessTransport } from '../../src/transport/inProcess.js';
import { transportConformance } from './conformance.js';

transportConformance('in-process', async (nodes) => new InProcessTransport(nodes));
