import { taskManagementContract } from '../contracts/task-management.contract.js';
import { useLinearServer } from './linear-setup.js';

const local = useLinearServer();

taskManagementContract('linear (GraphQL through @linear/sdk)', () => ({
  plugin: local.plugin,
  async reset() {
    local.server.reset();
  },
  async givenTask(task) {
    local.server.givenIssue(task);
  },
  async commentsOf(key) {
    return local.server.commentsOf(key);
  },
}));
