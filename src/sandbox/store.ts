/**
 * The sandbox's memory: the records of every resource, with Feishu-shaped ids, an index by external_id and one by
 * parent id per resource (so reading back by parent costs what it answers, not the whole store). Every change goes through `apply`, as a Change that can be written down and applied again later, so a
 * state file replayed at start rebuilds exactly the same records and ids.
 */
import { isPlainObject, type JsonObject } from './validateWire.js';

export interface StoredRecord {
  id: string;
  body: JsonObject;
  createdAt: number;
  updatedAt?: number;
}

/** One change to the store; `update` carries the whole body after the change. */
export type Change =
  | { op: 'create'; resource: string; id: string; body: JsonObject; at: number }
  | { op: 'update'; resource: string; id: string; body: JsonObject; at: number }
  | { op: 'delete'; resource: string; id: string; at: number };

/** The id the docs show in their example answer; later ids count up from it so they stay 19-digit strings. */
const firstId = 6989181065243969836n;

/** The body fields a resource's records are found by: the one that makes a create idempotent, the parent's id. */
export interface IndexedFields {
  externalId?: string;
  parent?: string;
}

export class RecordStore {
  private nextId = firstId;
  private readonly records = new Map<string, Map<string, StoredRecord>>();
  private readonly idByExternalId = new Map<string, Map<string, string>>();
  private readonly idsByParent = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexedFields: (resource: string) => IndexedFields) {}

  /** One id space for every resource, as on Feishu: an id of one resource never names a record of another. */
  newId(): string {
    return String(this.nextId++);
  }

  apply(change: Change): void {
    const records = this.recordsOf(change.resource);
    const existing = records.get(change.id);
    if (existing) this.unindex(change.resource, existing);
    if (change.op === 'delete') {
      records.delete(change.id);
      return;
    }
    const record: StoredRecord =
      change.op === 'create' || !existing
        ? { id: change.id, body: change.body, createdAt: change.at }
        : { ...existing, body: change.body, updatedAt: change.at };
    records.set(change.id, record);
    this.index(change.resource, record);
    this.idsSeen(record);
  }

  get(resource: string, id: string): StoredRecord | undefined {
    return this.records.get(resource)?.get(id);
  }

  /** The record an earlier create with this external_id made; an empty external_id identifies nothing. */
  findByExternalId(resource: string, externalId: unknown): StoredRecord | undefined {
    if (typeof externalId !== 'string' || externalId === '') return undefined;
    const id = this.idByExternalId.get(resource)?.get(externalId);
    return id === undefined ? undefined : this.get(resource, id);
  }

  /** The records whose parent field holds `parentId`, in creation order (ids count up; an update re-indexes). */
  children(resource: string, parentId: string): StoredRecord[] {
    const ids = [...(this.idsByParent.get(resource)?.get(parentId) ?? [])];
    return ids.sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).map((id) => this.get(resource, id)!);
  }

  /** In creation order. */
  list(resource: string): StoredRecord[] {
    return [...(this.records.get(resource)?.values() ?? [])];
  }

  count(resource: string): number {
    return this.records.get(resource)?.size ?? 0;
  }

  private recordsOf(resource: string): Map<string, StoredRecord> {
    let records = this.records.get(resource);
    if (!records) this.records.set(resource, (records = new Map()));
    return records;
  }

  private index(resource: string, record: StoredRecord): void {
    const { externalId, parent } = this.keysOf(resource, record);
    if (externalId !== undefined) {
      let ids = this.idByExternalId.get(resource);
      if (!ids) this.idByExternalId.set(resource, (ids = new Map()));
      ids.set(externalId, record.id);
    }
    if (parent !== undefined) {
      let byParent = this.idsByParent.get(resource);
      if (!byParent) this.idsByParent.set(resource, (byParent = new Map()));
      let ids = byParent.get(parent);
      if (!ids) byParent.set(parent, (ids = new Set()));
      ids.add(record.id);
    }
  }

  private unindex(resource: string, record: StoredRecord): void {
    const { externalId, parent } = this.keysOf(resource, record);
    const ids = this.idByExternalId.get(resource);
    if (externalId !== undefined && ids?.get(externalId) === record.id) ids.delete(externalId);
    if (parent !== undefined) this.idsByParent.get(resource)?.get(parent)?.delete(record.id);
  }

  /** The record's values of the indexed fields; an empty or non-text value identifies nothing. */
  private keysOf(resource: string, record: StoredRecord): { externalId?: string; parent?: string } {
    const fields = this.indexedFields(resource);
    const text = (field: string | undefined) => {
      const value = field === undefined ? undefined : record.body[field];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    return { externalId: text(fields.externalId), parent: text(fields.parent) };
  }

  /** Ids replayed from a state file, the record's own and those of records inside its lists, are never issued again. */
  private idsSeen(record: StoredRecord): void {
    const ids = [record.id];
    for (const value of Object.values(record.body)) {
      if (!Array.isArray(value)) continue;
      for (const element of value) if (isPlainObject(element) && typeof element.id === 'string') ids.push(element.id);
    }
    for (const id of ids) if (/^\d+$/.test(id) && BigInt(id) >= this.nextId) this.nextId = BigInt(id) + 1n;
  }
}
