// SPDX-License-Identifier: GPL-2.0-or-later
// hep_decode.js PORT SECONDS - a HEP collector that no one here wrote the
// decoder of: sipcapture's hep-js decodes each UDP datagram received on
// 127.0.0.1:PORT; one JSON line per packet ({rcinfo, payload}, or
// {"error": ...}) until SECONDS have passed.
'use strict';
const hep = require('hep-js');
const dgram = require('dgram');
const port = parseInt(process.argv[2], 10);
const secs = parseFloat(process.argv[3] || '5');
const s = dgram.createSocket('udp4');
s.on('message', (b) => {
  const d = hep.decapsulate(b);
  console.log(JSON.stringify(d ? { rcinfo: d.rcinfo, payload: d.payload, len: b.length } : { error: 'not HEP3' }));
});
s.on('listening', () => console.error('listening'));
s.bind(port, '127.0.0.1');
setTimeout(() => process.exit(0), secs * 1000);
