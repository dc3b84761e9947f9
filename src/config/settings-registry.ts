import { z } from 'zod';

/** What the reference says about a setting of `aidev.config.yaml`. */
export interface SettingMeta {
  readonly description: string;
  readonly default: string;
}

export const settingsRegistry = z.registry<SettingMeta>();
