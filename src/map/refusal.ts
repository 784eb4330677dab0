/** A value that makes the record invalid (not in a map, not in a lookup, a failed expression), with the reason. */
export class Refusal {
  constructor(readonly reason: string) {}
}
