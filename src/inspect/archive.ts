/**
 * Static archives (`ar`): `.a` files and Rust's `.rlib`, GNU and BSD flavours, member by member.
 *
 *   "!<arch>\n", then per member a 60-byte header: name[16] date[12] uid[6] gid[6] mode[8]
 *   size[10] "`\n", then the data, padded to an even offset.
 *   GNU: "/" and "/SYM64/" symbol tables, "//" the long-name table, "/123" a name at offset 123
 *        of it (ending "/\n"), short names end with "/".
 *   BSD: "#1/20" means the name is the first 20 bytes of the data; "__.SYMDEF" is the symbol table.
 */
import { InspectReadError, type ByteSource } from './bytes';

export const AR_MAGIC = '!<arch>\n';
const THIN_MAGIC = '!<thin>\n';
const HEADER = 60;
const SYMBOL_TABLES = new Set(['/', '/SYM64/', '__.SYMDEF', '__.SYMDEF SORTED', '__.SYMDEF_64', '__.SYMDEF_64 SORTED']);

export interface ArchiveMember {
  name: string;
  /** Offset of the member's data in the archive. */
  offset: number;
  size: number;
}

export function isArchive(head: Buffer): boolean {
  const text = head.toString('latin1', 0, 8);
  return text === AR_MAGIC || text === THIN_MAGIC;
}

/** Every member that holds data (symbol and long-name tables left out), in archive order. */
export function readArchive(source: ByteSource): ArchiveMember[] {
  const magic = source.read(0, Math.min(8, source.size), 'the archive magic').toString('latin1');
  if (magic === THIN_MAGIC)
    throw new InspectReadError('a thin archive: its members are separate files; inspect them directly');
  if (magic !== AR_MAGIC) throw new InspectReadError('not an ar archive (bad magic)');
  const members: ArchiveMember[] = [];
  let longNames: Buffer | null = null;
  let at = 8;
  while (at + HEADER <= source.size) {
    const header = source.read(at, HEADER, `the archive member header at offset ${at}`).toString('latin1');
    if (header.slice(58, 60) !== '`\n')
      throw new InspectReadError(`bad archive member header at offset ${at} (no terminator)`);
    const size = Number(header.slice(48, 58).trim());
    if (!Number.isSafeInteger(size) || size < 0)
      throw new InspectReadError(`bad archive member size "${header.slice(48, 58).trim()}" at offset ${at}`);
    let name = header.slice(0, 16).trimEnd();
    let dataOffset = at + HEADER;
    let dataSize = size;
    if (dataOffset + size > source.size)
      throw new InspectReadError(
        `truncated archive: member "${name}" (${size} bytes at offset ${dataOffset}) ends past the end of the file`,
      );
    if (name === '//') {
      longNames = source.read(dataOffset, size, 'the archive long-name table');
    } else if (/^\/\d+$/.test(name)) {
      name = gnuLongName(longNames, Number(name.slice(1)), at);
    } else if (/^#1\/\d+$/.test(name)) {
      const length = Number(name.slice(3));
      if (length > size) throw new InspectReadError(`bad BSD archive name length ${length} at offset ${at}`);
      name = source.read(dataOffset, length, 'a BSD archive member name').toString('utf8').replace(/\0+$/, '');
      dataOffset += length;
      dataSize -= length;
    } else if (!SYMBOL_TABLES.has(name) && name.endsWith('/')) {
      name = name.slice(0, -1);
    }
    if (name !== '//' && !SYMBOL_TABLES.has(name)) members.push({ name, offset: dataOffset, size: dataSize });
    at += HEADER + size + (size % 2);
  }
  return members;
}

function gnuLongName(table: Buffer | null, offset: number, at: number): string {
  if (table === null || offset >= table.length)
    throw new InspectReadError(
      `archive member at offset ${at} names long-name entry ${offset}, which the archive does not have`,
    );
  const end = table.indexOf('/\n', offset, 'latin1');
  return table.toString('utf8', offset, end < 0 ? table.length : end);
}
