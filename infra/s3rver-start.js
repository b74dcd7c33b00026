'use strict';
// Starts s3rver with the stack's own access key instead of its built-in S3RVER/S3RVER pair.
// s3rver refuses unknown access key ids (it does not verify V4 signatures, so the secret is not checked).
// Usage: S3RVER_ACCESS_KEY=... S3RVER_SECRET_KEY=... node s3rver-start.js <s3rver package dir> <data dir> <address> <port>
const path = require('path');

const [pkg, directory, address, port] = process.argv.slice(2);
const accessKey = process.env.S3RVER_ACCESS_KEY;
const secretKey = process.env.S3RVER_SECRET_KEY;
if (!pkg || !directory || !address || !port || !accessKey || !secretKey) {
  console.error('usage: S3RVER_ACCESS_KEY=.. S3RVER_SECRET_KEY=.. node s3rver-start.js <s3rver dir> <data dir> <address> <port>');
  process.exit(2);
}

const S3rver = require(path.join(pkg, 'lib', 's3rver.js'));
const AWSAccount = require(path.join(pkg, 'lib', 'models', 'account.js'));
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

new S3rver({ directory, address, port: Number(port), silent: true })
  .run()
  .then(({ address: a, port: p }) => console.log(`s3rver listening on ${a}:${p}`))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
