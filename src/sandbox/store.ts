/** The sandbox's memory of created assessments, with Feishu-shaped ids and the external_id idempotency index. */

export interface StoredAssessment {
  id: string;
  body: Record<string, unknown>;
  createdAt: number;
  updatedAt?: number;
}

/** The id the docs show in their example answer; later ids count up from it so they stay 19-digit strings. */
const firstId = 6989181065243969836n;

export class AssessmentStore {
  private nextId = firstId;
  private readonly byId = new Map<string, StoredAssessment>();
  private readonly idByExternalId = new Map<string, string>();

  create(body: Record<string, unknown>, now: number): StoredAssessment {
    const record: StoredAssessment = { id: String(this.nextId++), body, createdAt: now };
    this.byId.set(record.id, record);
    this.index(record);
    return record;
  }

  get(id: string): StoredAssessment | undefined {
    return this.byId.get(id);
  }

  /** The record an earlier create with this external_id made; an empty external_id identifies nothing. */
  findByExternalId(externalId: unknown): StoredAssessment | undefined {
    if (typeof externalId !== 'string' || externalId === '') return undefined;
    const id = this.idByExternalId.get(externalId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** Fields given replace the stored ones; fields left out stay. */
  patch(record: StoredAssessment, changes: Record<string, unknown>, now: number): StoredAssessment {
    if (typeof record.body.external_id === 'string' && this.idByExternalId.get(record.body.external_id) === record.id) {
      this.idByExternalId.delete(record.body.external_id);
    }
    record.body = { ...record.body, ...changes };
    record.updatedAt = now;
    this.index(record);
    return record;
  }

  list(): StoredAssessment[] {
    return [...this.byId.values()];
  }

  private index(record: StoredAssessment): void {
    const externalId = record.body.external_id;
    if (typeof externalId === 'string' && externalId !== '') this.idByExternalId.set(externalId, record.id);
  }
}
