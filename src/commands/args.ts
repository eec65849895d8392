import { z } from 'zod';
import type { ArgDefs, CommandDef } from './types.ts';

export type ArgType = 'string' | 'integer' | 'number' | 'boolean';

/** What one argument accepts, read from its zod schema; drives usage, help and chat options. */
export interface ArgShape {
  name: string;
  required: boolean;
  type: ArgType;
  choices?: string[];
  min?: number;
  max?: number;
  rest: boolean;
  placeholder: string | undefined;
  example: string | undefined;
  flexible: boolean;
  descriptionKey: string;
}

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchemaProperty[];
}

export function argsObjectSchema(args: ArgDefs): z.ZodObject {
  return z.strictObject(Object.fromEntries(Object.entries(args).map(([name, a]) => [name, a.schema])));
}

export function argShapes(def: CommandDef): ArgShape[] {
  const json = z.toJSONSchema(argsObjectSchema(def.args), { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  return Object.entries(def.args).map(([name, a]) => {
    const prop = flatten(json.properties?.[name] ?? {});
    const type = typeOf(prop);
    const choices = (prop.enum ?? (prop.const !== undefined ? [prop.const] : undefined))?.filter(
      (v): v is string => typeof v === 'string',
    );
    return {
      name,
      required: required.has(name),
      type,
      ...(choices && choices.length > 0 ? { choices } : {}),
      ...(prop.minimum !== undefined ? { min: prop.minimum } : {}),
      ...(prop.maximum !== undefined ? { max: prop.maximum } : {}),
      rest: a.rest === true,
      placeholder: a.placeholder,
      example: a.example,
      flexible: a.flexible === true,
      descriptionKey: a.descriptionKey,
    };
  });
}

function flatten(prop: JsonSchemaProperty): JsonSchemaProperty {
  const first = prop.anyOf?.find((p) => p.type !== 'null');
  return first ? { ...prop, ...first } : prop;
}

function typeOf(prop: JsonSchemaProperty): ArgType {
  const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
  return type === 'integer' || type === 'number' || type === 'boolean' ? type : 'string';
}

/** `/lang <en|zh>`, `/balance [account]`. */
export function usageOf(def: CommandDef): string {
  const parts = argShapes(def).map((a) => {
    const inner = a.choices ? a.choices.join('|') : (a.placeholder ?? (a.rest ? `${a.name}…` : a.name));
    return a.required ? `<${inner}>` : `[${inner}]`;
  });
  return [`/${def.name}`, ...parts].join(' ');
}
