import { documentationContract } from '../contracts/documentation.contract.js';
import { useConfluenceServer } from './confluence-setup.js';

const confluence = useConfluenceServer();

documentationContract('confluence', () => ({
  get plugin() {
    return confluence.plugin;
  },
  reset: confluence.reset,
  pages: () => Promise.resolve(confluence.server.pages()),
}));
