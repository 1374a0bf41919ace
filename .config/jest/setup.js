// What jsdom lacks and Grafana's UI components need. Layout-related: jsdom computes no layout, so the
// Combobox's virtual list (which renders only rows that fit its measured height) would render none.
require('@testing-library/jest-dom');

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

HTMLCanvasElement.prototype.getContext = () => null;

// a fixed box for every element: enough for @tanstack/react-virtual to lay out the option list
const BOX = { width: 320, height: 320, top: 0, left: 0, bottom: 320, right: 320, x: 0, y: 0 };
Element.prototype.getBoundingClientRect = function () {
  return { ...BOX, toJSON: () => BOX };
};

if (!window.ResizeObserver) {
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
