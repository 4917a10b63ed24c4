import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
// The stylesheets, in cascade order.
import './styles/base.css';
import './styles/shell.css';
import './styles/page.css';
import './styles/badges-dialogs.css';
import './styles/providers.css';
import './styles/tables.css';
import './styles/usage.css';
import './styles/usage-tables.css';
import './styles/playground.css';
import './styles/small-screens.css';
import './styles/key-pool.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
