import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ToastProvider } from './components/Toast';
import { NavProvider } from './hooks/useNav';
import { RefreshProvider } from './hooks/useRefresh';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <NavProvider>
      <RefreshProvider>
        <ToastProvider>
          <App />
        </ToastProvider>
      </RefreshProvider>
    </NavProvider>
  </StrictMode>,
);
