/** The models by registry name, as history files and `--model` name them. */
import type { Model } from "../model";
import { etcdRegister } from "./etcd-register";
import { kvAppend } from "./kv-append";
import { kvVersioned } from "./kv-versioned";

export { etcdRegister, kvAppend, kvVersioned };

export const MODELS: Readonly<Record<string, Model>> = {
  [kvVersioned.name]: kvVersioned,
  [kvAppend.name]: kvAppend,
  [etcdRegister.name]: etcdRegister,
};

/** The model of that name; throws naming the known ones. */
export function modelNamed(name: string): Model {
  const model = Object.prototype.hasOwnProperty.call(MODELS, name) ? MODELS[name] : undefined;
  if (!model) throw new Error(`unknown model "${name}" (known: ${Object.keys(MODELS).join(", ")})`);
  return model;
}
