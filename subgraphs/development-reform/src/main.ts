import { runSubgraphProcess } from '@cdo-hub/subgraph-kit';
import { developmentReformSubgraph } from './index';

void runSubgraphProcess(developmentReformSubgraph());
