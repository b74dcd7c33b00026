// Converts a Parquet file (here vega-datasets' flights-3m.parquet) to CSV with a header, streaming in row groups
// of CHUNK rows so 3M rows never sit in memory at once. Timestamps are written "yyyy-MM-dd HH:mm[:ss]" (UTC, as
// stored: the file's timestamps are not adjusted to UTC, so the wall-clock time is what the file says).
// usage: node parquet_to_csv.mjs IN.parquet OUT.csv
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

const [input, output] = process.argv.slice(2)
if (!input || !output) {
  console.error('usage: node parquet_to_csv.mjs IN.parquet OUT.csv')
  process.exit(64)
}

const CHUNK = 250_000
const file = await asyncBufferFromFile(input)
const metadata = await parquetMetadataAsync(file)
const rows = Number(metadata.num_rows)
const columns = metadata.schema.slice(1).map(s => s.name)

function cell(value) {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) {
    const iso = value.toISOString()
    return iso.slice(0, 10) + ' ' + (iso.slice(17, 19) === '00' ? iso.slice(11, 16) : iso.slice(11, 19))
  }
  const text = String(value)
  return /[",\r\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text
}

const out = createWriteStream(output)
out.write(columns.map(cell).join(',') + '\n')
for (let start = 0; start < rows; start += CHUNK) {
  const objects = await parquetReadObjects({ file, compressors, rowStart: start, rowEnd: Math.min(start + CHUNK, rows) })
  const text = objects.map(o => columns.map(c => cell(o[c])).join(',')).join('\n') + '\n'
  if (!out.write(text)) await once(out, 'drain')
}
out.end()
await once(out, 'finish')
console.error(`${input}: ${rows} rows, columns ${columns.join(', ')} -> ${output}`)
