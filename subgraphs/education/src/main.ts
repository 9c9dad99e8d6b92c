import { runSubgraphProcess } from '@cdo-hub/subgraph-kit';
import { educationSubgraph } from './index';

void runSubgraphProcess(educationSubgraph());
