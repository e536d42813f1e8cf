import { oneOf } from '../config/run-config.ts';

// The kinds of option the commands declare, as yargs option objects: a number, a text, a choice.
// Number options are shown as [number] but must also be listed in `.string(...)`, so that yargs hands
// over the text given and a bad value is quoted back exactly (validation: config/, verify/).

export const number = (group: string, describe: string, defaultValue?: number) =>
  ({ type: 'number', requiresArg: true, group, describe, ...(defaultValue !== undefined ? { default: defaultValue } : {}) }) as const;

export const text = (group: string, describe: string, defaultValue?: string) =>
  ({ type: 'string', requiresArg: true, group, describe, ...(defaultValue !== undefined ? { default: defaultValue } : {}) }) as const;

/** A value from a fixed list: shown with its choices, and refused with the message every flag uses. */
export const choice = <T extends string>(flag: string, group: string, choices: readonly T[], defaultValue: T, describe: string) =>
  ({
    type: 'string',
    requiresArg: true,
    group,
    choices,
    default: defaultValue,
    describe,
    coerce: (value: string) => oneOf(flag, value, choices),
  }) as const;
