/** Shared bits of the pickers: how a loading or failed list shows in its field. */
export interface PickerStatus {
  loading: boolean;
  error: Error | undefined;
}

export function fieldStatus({ loading, error }: PickerStatus, what: string) {
  return {
    loading,
    invalid: error !== undefined,
    error: error ? `Could not load ${what}: ${error.message}` : undefined,
  };
}

/** Dashboard variables offered as options (`$model`, `$column`), after the backend's values. */
export function withVariables<T extends { value: string }>(options: T[], variables: readonly string[]) {
  const known = new Set(options.map((o) => o.value));
  return [...options, ...variables.filter((v) => !known.has(v)).map((v) => ({ label: v, value: v, description: 'dashboard variable' }))];
}
