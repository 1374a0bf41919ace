// What jsdom lacks and Grafana's UI components need. Layout-related: jsdom computes no layout, so the
// Combobox's virtual list (which renders only rows that fit its measured height) would render none.
// editors are driven as a user drives them, against a real server: seconds, not milliseconds
const PLUGIN_TEST_TIMEOUT_MS = 30_000;
jest.setTimeout(PLUGIN_TEST_TIMEOUT_MS);

// tests that declare `@jest-environment node` (build, browser) get none of this
if (typeof window !== 'undefined') {
  require('@testing-library/jest-dom');
  // findBy*/waitFor wait for answers from a real server, on a machine that may be busy: 1 s is too tight
  const ASYNC_UTIL_TIMEOUT_MS = 10_000;
  require('@testing-library/react').configure({ asyncUtilTimeout: ASYNC_UTIL_TIMEOUT_MS });

  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    }),
  });

  // Grafana's UI measures text on a canvas to size inputs; jsdom has no canvas: a fixed-width font will do
  const CHAR_WIDTH_PX = 7;
  HTMLCanvasElement.prototype.getContext = function () {
    return { font: '', measureText: (text) => ({ width: String(text).length * CHAR_WIDTH_PX }) };
  };

  // a fixed box for every element: enough for @tanstack/react-virtual to lay out the option list
  const BOX = { width: 320, height: 320, top: 0, left: 0, bottom: 320, right: 320, x: 0, y: 0 };
  Element.prototype.getBoundingClientRect = function () {
    return { ...BOX, toJSON: () => BOX };
  };
  for (const [prop, value] of [['offsetHeight', BOX.height], ['offsetWidth', BOX.width], ['clientHeight', BOX.height], ['clientWidth', BOX.width]]) {
    Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
  }

  // jsdom has no observers; nothing in a test scrolls or resizes, so observers that never fire are exact
  if (!window.IntersectionObserver) {
    window.IntersectionObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    };
  }

  if (!window.ResizeObserver) {
    window.ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  }

  // The plugin's tests talk to a real Vigil server: its answers resolve on the event loop, outside React's
  // act(), and React warns for every state update they cause. That warning is about tests that fake
  // timers or forget to wait; these tests wait for what the user would see (findBy*/waitFor), so it is
  // noise here and is dropped. Every other console error still shows.
  const consoleError = console.error;
  console.error = (...args) => {
    if (typeof args[0] === 'string' && args[0].includes('inside a test was not wrapped in act(')) {
      return;
    }
    consoleError(...args);
  };

}
