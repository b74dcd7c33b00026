'use strict';
// Patches an installed s3rver 3.7.1 (idempotent; fails loudly when the code is not what we expect):
// 1. its XML replies use a wrong namespace (http://doc.s3.amazonaws.com/2006-03-01/), so the Minio SDK reads
//    empty listings: use http://s3.amazonaws.com/doc/2006-03-01/;
// 2. it writes objects in place and answers before the file is flushed, so readers see partial objects and
//    concurrent writers mix: write to a temporary file, wait for it to close, rename it over the object
//    (what S3 and MinIO guarantee: a GET returns one whole version); the same for its ETag and metadata files;
// 3. listings: vanished files are skipped and keys come in key order;
// 4. HEAD bucket without a listing (see below).
// Usage: node s3rver-patch.js <path to node_modules/s3rver>
const fs = require('fs');
const path = require('path');

const pkg = process.argv[2];
if (!pkg) {
  console.error('usage: node s3rver-patch.js <node_modules/s3rver>');
  process.exit(2);
}

const controllers = path.join(pkg, 'lib', 'controllers');
for (const name of fs.readdirSync(controllers).filter((f) => f.endsWith('.js'))) {
  const file = path.join(controllers, name);
  const text = fs.readFileSync(file, 'utf8');
  const fixed = text.split('http://doc.s3.amazonaws.com/2006-03-01/').join('http://s3.amazonaws.com/doc/2006-03-01/');
  if (fixed !== text) fs.writeFileSync(file, fixed);
}

const storeFile = path.join(pkg, 'lib', 'stores', 'filesystem.js');
let store = fs.readFileSync(storeFile, 'utf8');
const marker = '/* pipeline: atomic putObject */';
if (!store.includes(marker)) {
  const start = store.indexOf('  async putObject(object) {');
  const head = '    await fs.mkdirp(path.dirname(objectPath));\n';
  const tail = '    await this.putMetadata(object.bucket, object.key, object.metadata, md5);\n';
  const from = store.indexOf(head, start);
  const to = store.indexOf(tail, start);
  if (start < 0 || from < 0 || to < 0 || to < from) {
    console.error(`s3rver-patch: putObject in ${storeFile} is not the expected 3.7.1 code`);
    process.exit(1);
  }
  const replacement = `${head}    ${marker}
    const tempPath = \`\${objectPath}.tmp-\${process.pid}-\${crypto.randomBytes(8).toString('hex')}\`;
    const [size, md5] = await new Promise((resolve, reject) => {
      const writeStream = fs.createWriteStream(tempPath);
      const md5Context = crypto.createHash('md5');
      let totalLength = 0;
      writeStream
        .on('error', reject)
        .on('close', () => resolve([totalLength, md5Context.digest('hex')]));
      if (Buffer.isBuffer(object.content)) {
        md5Context.update(object.content);
        totalLength = object.content.length;
        writeStream.end(object.content);
      } else {
        object.content
          .pipe(
            new Transform({
              transform(chunk, encoding, callback) {
                md5Context.update(chunk, encoding);
                totalLength += chunk.length;
                callback(null, chunk);
              },
            }),
          )
          .on('error', reject)
          .pipe(writeStream);
      }
    }).catch(async (err) => {
      await fs.remove(tempPath).catch(() => {});
      throw err;
    });
    await fs.rename(tempPath, objectPath);
`;
  store = store.slice(0, from) + replacement + store.slice(to);

  // the ETag (.md5) and metadata files are rewritten in place too: a concurrent HEAD/GET then fails to parse them
  const metaOld = `    if (md5) await fs.writeFile(md5Path, md5);
    await fs.writeFile(metadataPath, JSON.stringify(json, null, 2));
`;
  const metaNew = `    const writeAtomic = async (file, data) => {
      const temp = \`\${file}.tmp-\${process.pid}-\${crypto.randomBytes(8).toString('hex')}\`;
      await fs.writeFile(temp, data);
      await fs.rename(temp, file);
    };
    if (md5) await writeAtomic(md5Path, md5);
    await writeAtomic(metadataPath, JSON.stringify(json, null, 2));
`;
  if (!store.includes(metaOld)) {
    console.error(`s3rver-patch: putMetadata in ${storeFile} is not the expected 3.7.1 code`);
    process.exit(1);
  }
  store = store.replace(metaOld, metaNew);
  fs.writeFileSync(storeFile, store);
}
// 3. listings walk the folders with statSync: a file renamed or deleted meanwhile (a temporary file above, a
//    concurrent delete) fails the whole listing with ENOENT; and the walk is in readdir order, so pages after the
//    first (start-after) can skip or repeat keys: skip vanished files, and list in key (UTF-8 byte) order.
const utilsFile = path.join(pkg, 'lib', 'utils.js');
let utils = fs.readFileSync(utilsFile, 'utf8');
const walkOld = `  for (const filename of fs.readdirSync(dir)) {
    const filePath = path.posix.join(dir, filename);
    const stats = fs.statSync(filePath);
`;
const walkNew = `  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  for (const filename of names) {
    const filePath = path.posix.join(dir, filename);
    let stats;
    try {
      stats = fs.statSync(filePath);
    } catch (err) {
      if (err.code === 'ENOENT') continue;
      throw err;
    }
`;
if (!utils.includes('let names;')) {
  if (!utils.includes(walkOld)) {
    console.error(`s3rver-patch: walk in ${utilsFile} is not the expected 3.7.1 code`);
    process.exit(1);
  }
  fs.writeFileSync(utilsFile, utils.replace(walkOld, walkNew));
}

store = fs.readFileSync(storeFile, 'utf8');
const listOld = '    for (const keyPath of it) {\n';
const listNew = `    /* pipeline: sorted listing */
    const sorted = [...it]
      .filter((p) => p.endsWith(objectSuffix))
      .map((p) => [Buffer.from(FilesystemStore.decodeKeyPath(p.slice(bucketPath.length + 1, -objectSuffix.length))), p])
      .sort((a, b) => Buffer.compare(a[0], b[0]))
      .map((e) => e[1]);
    for (const keyPath of sorted) {
`;
if (!store.includes('pipeline: sorted listing')) {
  if (!store.includes(listOld)) {
    console.error(`s3rver-patch: listObjects in ${storeFile} is not the expected 3.7.1 code`);
    process.exit(1);
  }
  fs.writeFileSync(storeFile, store.replace(listOld, listNew));
}
// 4. HEAD on a bucket (which the Minio SDK sends before most object calls) is answered by its GET handler, i.e. a
//    full listing of the bucket: with thousands of objects every stat/get cost a directory walk. Answer HEAD as
//    soon as the bucket is known to exist (the bucketExists middleware has run by then).
const bucketFile = path.join(controllers, 'bucket.js');
const bucketCode = fs.readFileSync(bucketFile, 'utf8');
const headOld = 'exports.getBucket = async function getBucket(ctx) {\n';
const headNew = `${headOld}  /* pipeline: cheap HEAD bucket */
  if (ctx.method === 'HEAD') {
    ctx.status = 200;
    return;
  }
`;
if (!bucketCode.includes('pipeline: cheap HEAD bucket')) {
  if (!bucketCode.includes(headOld)) {
    console.error(`s3rver-patch: getBucket in ${bucketFile} is not the expected 3.7.1 code`);
    process.exit(1);
  }
  fs.writeFileSync(bucketFile, bucketCode.replace(headOld, headNew));
}
console.log('s3rver patched');
