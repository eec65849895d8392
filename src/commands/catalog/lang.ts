import { z } from 'zod';
import { LANGUAGES, t as translate } from '../../i18n/index.ts';
import { defineCommand } from '../types.ts';

export const langCommand = defineCommand({
  name: 'lang',
  aliases: ['language'],
  role: 'public',
  scope: 'none',
  mutates: true,
  args: {
    language: {
      schema: z.enum(LANGUAGES),
      descriptionKey: 'commands.lang.args.language',
    },
  },
  async run({ caller, services }, { language }) {
    await services.identity.setLanguage(caller, language);
    return { text: translate(language, 'lang.changed') };
  },
});
