import { useState } from 'react';
import { ApiError, type Agent } from '../../api.js';
import { actorInSentence } from '../../format.js';
import { useLoaded, type Loaded } from '../../use-loaded.js';

interface Versioned<T> {
  version: number;
  updatedBy: string;
  updatedAt: string;
  value: T;
}

/**
 * A versioned document of the service (the assistant's settings, the guardrail policy): loaded
 * once, then every save is a whole new value based on the version shown (If-Match). When another
 * admin saved in between, the API refuses (409 version_conflict): the newest version is loaded
 * and shown, and the save fails with a message that says whose change it was. The forms keep
 * their unsaved edits (use-draft.ts), so saving again is a choice made with the new one in view.
 */
export function useVersioned<T, V extends Versioned<T>>(
  load: () => Promise<V>,
  store: (value: T, basedOn: number) => Promise<V>,
  options: { key: string; me: Agent },
): { loaded: Loaded<V>; current: V | null; save: (value: T) => Promise<void> } {
  const loaded = useLoaded(load, options.key);
  const [saved, setSaved] = useState<V | null>(null);
  const current = saved ?? loaded.data;

  async function save(value: T) {
    if (!current) throw new ApiError(0, 'not_loaded', 'These settings have not loaded yet.');
    try {
      setSaved(await store(value, current.version));
    } catch (failure) {
      if (!(failure instanceof ApiError && failure.code === 'version_conflict')) throw failure;
      const newest = await load().catch(() => null);
      if (!newest) throw failure;
      setSaved(newest);
      throw new ApiError(
        409,
        'version_conflict',
        `Not saved: version ${newest.version}, saved meanwhile by ${actorInSentence(newest.updatedBy, options.me)}, is shown now. Your edits are still here: check them and save again.`,
      );
    }
  }
  return { loaded, current, save };
}
