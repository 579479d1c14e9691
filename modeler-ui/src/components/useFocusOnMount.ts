/** Keeps the focus sensible after navigation: on the heading of what was opened. */
import { useEffect, useRef } from 'preact/hooks';

/** A ref to put on a heading (with tabIndex -1) that takes the focus when `key` changes. */
export function useFocusOnMount<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [key]);
  return ref;
}
