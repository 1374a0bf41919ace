/** Driving Grafana's Combobox / MultiCombobox as a user does: open by its label, click options. */
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

export async function openCombobox(label: string): Promise<HTMLElement> {
  const input = screen.getByRole('combobox', { name: label });
  if (input.getAttribute('aria-expanded') !== 'true') {
    await userEvent.click(input);
  }
  return input;
}

/** Labels of the options listed right now. */
export function optionLabels(): string[] {
  return screen.queryAllByRole('option').map(optionLabel);
}

/** Waits until the open list shows exactly `expected` (options arrive from the server asynchronously). */
export async function expectOptions(expected: string[]): Promise<void> {
  await waitFor(() => expect(optionLabels()).toEqual(expected));
}

/** The option whose label (first line, before the description) equals `name`. */
export async function findOption(name: string): Promise<HTMLElement> {
  return waitFor(() => {
    const match = screen.queryAllByRole('option').find((o) => optionLabel(o) === name);
    if (!match) {
      throw new Error(`no option '${name}' among: ${screen.queryAllByRole('option').map(optionLabel).join(', ')}`);
    }
    return match;
  });
}

export function optionLabel(option: HTMLElement): string {
  // an option holds its label and, below it, its description, each in its own element
  const label = option.querySelector('[class*="combobox-option-label"]');
  return (label?.textContent ?? option.textContent ?? '').trim();
}

export async function chooseOption(label: string, option: string): Promise<void> {
  await openCombobox(label);
  await userEvent.click(await findOption(option));
}

/** Ticks several options of a MultiCombobox, then closes it. */
export async function chooseOptions(label: string, options: string[]): Promise<void> {
  await openCombobox(label);
  for (const name of options) {
    await userEvent.click(await findOption(name));
  }
  await userEvent.keyboard('{Escape}');
}
