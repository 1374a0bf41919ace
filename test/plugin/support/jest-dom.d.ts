// Testing Library's DOM matchers (toBeInTheDocument, ...) for the plugin's tests; registered in .config/jest/setup.js.
import '@testing-library/jest-dom';
