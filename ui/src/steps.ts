// Visit steps that plug into the counter view: the photo, fingerprint, BAP and pickup work
// each register one step, shown as a tab of the current applicant when it applies.

import type { JSX } from "preact";
import type { CounterInfo, CurrentVisit } from "./api";

export interface VisitStepProps {
  visit: CurrentVisit;
  counter: CounterInfo;
  /** The officer's bearer token for the step's own hub calls. */
  token: string | null;
}

export interface VisitStep {
  /** Stable id, e.g. "photo". */
  id: string;
  /** Tab label in the current language. */
  label: () => string;
  /** Whether the step belongs to this visit at this stage (e.g. BAP only for lost/damaged). */
  appliesTo: (visit: CurrentVisit) => boolean;
  render: (props: VisitStepProps) => JSX.Element;
}

const steps: VisitStep[] = [];

/** Adds a step; a later registration with the same id replaces the earlier one. */
export function registerVisitStep(step: VisitStep): void {
  const i = steps.findIndex((s) => s.id === step.id);
  if (i >= 0) steps[i] = step;
  else steps.push(step);
}

export function stepsFor(visit: CurrentVisit): VisitStep[] {
  return steps.filter((s) => s.appliesTo(visit));
}
