// Sparkplug B topic names (Sparkplug 3.0 §4.1): parsing, formatting and the tck-id rules on ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedTopicError, formatTopic, isValidSparkplugId, parseTopic } from '../../src/protocols/sparkplug/codec/index.ts';
import type { SparkplugTopic } from '../../src/protocols/sparkplug/codec/index.ts';

describe('Sparkplug topics: valid names', () => {
  const valid: [string, SparkplugTopic][] = [
    ['spBv1.0/Sparkplug B Devices/NBIRTH/Raspberry Pi', { kind: 'node', groupId: 'Sparkplug B Devices', messageType: 'NBIRTH', edgeNodeId: 'Raspberry Pi' }],
    ['spBv1.0/G1/NDEATH/E1', { kind: 'node', groupId: 'G1', messageType: 'NDEATH', edgeNodeId: 'E1' }],
    ['spBv1.0/G1/NDATA/E1', { kind: 'node', groupId: 'G1', messageType: 'NDATA', edgeNodeId: 'E1' }],
    ['spBv1.0/G1/NCMD/E1', { kind: 'node', groupId: 'G1', messageType: 'NCMD', edgeNodeId: 'E1' }],
    ['spBv1.0/Sparkplug B Devices/DBIRTH/Raspberry Pi/Pibrella', { kind: 'device', groupId: 'Sparkplug B Devices', messageType: 'DBIRTH', edgeNodeId: 'Raspberry Pi', deviceId: 'Pibrella' }],
    ['spBv1.0/G1/DDEATH/E1/D1', { kind: 'device', groupId: 'G1', messageType: 'DDEATH', edgeNodeId: 'E1', deviceId: 'D1' }],
    ['spBv1.0/G1/DDATA/E1/D1', { kind: 'device', groupId: 'G1', messageType: 'DDATA', edgeNodeId: 'E1', deviceId: 'D1' }],
    ['spBv1.0/G1/DCMD/E1/D1', { kind: 'device', groupId: 'G1', messageType: 'DCMD', edgeNodeId: 'E1', deviceId: 'D1' }],
    ['spBv1.0/STATE/scada-host-1', { kind: 'state', messageType: 'STATE', hostId: 'scada-host-1' }],
    ['spBv1.0/Ünïcødé 🏭/NDATA/ノード', { kind: 'node', groupId: 'Ünïcødé 🏭', messageType: 'NDATA', edgeNodeId: 'ノード' }],
    ['spBv1.0/STATE/NBIRTH/E1', { kind: 'node', groupId: 'STATE', messageType: 'NBIRTH', edgeNodeId: 'E1' }],
  ];
  for (const [topic, parsed] of valid) {
    it(`[tck-id-topic-structure] parses and formats ${topic}`, () => {
      assert.deepEqual(parseTopic(topic), parsed);
      assert.equal(formatTopic(parsed), topic);
    });
  }

  it('keeps ids case-sensitive', () => {
    assert.notDeepEqual(parseTopic('spBv1.0/g/NDATA/e'), parseTopic('spBv1.0/G/NDATA/E'));
  });
});

describe('Sparkplug topics: malformed names', () => {
  const invalid: [string, string, RegExp][] = [
    ['[tck-id-topic-structure-namespace-a] another namespace', 'spAv1.0/G1/NBIRTH/E1', /namespace/],
    ['[tck-id-topic-structure-namespace-a] a namespace in the wrong case', 'SPBV1.0/G1/NBIRTH/E1', /namespace/],
    ['[tck-id-topic-structure] too few levels', 'spBv1.0/G1/NBIRTH', /expected/],
    ['[tck-id-topic-structure] too many levels', 'spBv1.0/G1/DDATA/E1/D1/extra', /expected/],
    ['an unknown message type', 'spBv1.0/G1/NFOO/E1', /unknown message type/],
    ['a message type in the wrong case', 'spBv1.0/G1/nbirth/E1', /unknown message type/],
    ['STATE below a group', 'spBv1.0/G1/STATE/E1', /STATE topics/],
    ['[tck-id-topic-structure-namespace-device-id-associated-message-types] DDATA without device_id', 'spBv1.0/G1/DDATA/E1', /need a device_id/],
    ['[tck-id-topic-structure-namespace-device-id-associated-message-types] DBIRTH without device_id', 'spBv1.0/G1/DBIRTH/E1', /need a device_id/],
    ['[tck-id-topic-structure-namespace-device-id-non-associated-message-types] NDATA with a device_id', 'spBv1.0/G1/NDATA/E1/D1', /no device_id/],
    ['[tck-id-topic-structure-namespace-device-id-non-associated-message-types] NCMD with a device_id', 'spBv1.0/G1/NCMD/E1/D1', /no device_id/],
    ['[tck-id-topic-structure-namespace-valid-group-id] a group_id with +', 'spBv1.0/G+1/NBIRTH/E1', /group_id contains/],
    ['[tck-id-topic-structure-namespace-valid-group-id] a group_id with #', 'spBv1.0/#/NBIRTH/E1', /group_id contains/],
    ['[tck-id-topic-structure-namespace-valid-edge-node-id] an edge_node_id with +', 'spBv1.0/G1/NBIRTH/+', /edge_node_id contains/],
    ['[tck-id-topic-structure-namespace-valid-device-id] a device_id with #', 'spBv1.0/G1/DDATA/E1/D#', /device_id contains/],
    ['an empty group_id', 'spBv1.0//NBIRTH/E1', /group_id is empty/],
    ['an empty device_id', 'spBv1.0/G1/DDATA/E1/', /device_id is empty/],
    ['an empty host_id', 'spBv1.0/STATE/', /host_id is empty/],
    ['a host_id with +', 'spBv1.0/STATE/h+', /host_id contains/],
    ['a NUL in an id', 'spBv1.0/G1/NDATA/E\u00001', /edge_node_id contains/],
    ['a lone surrogate in an id', 'spBv1.0/G1/NDATA/E\ud8001', /edge_node_id contains/],
    ['the pre-3.0 STATE topic', 'STATE/host', /namespace/],
    ['an empty topic', '', /namespace/],
  ];
  for (const [name, topic, reason] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parseTopic(topic),
        (error: unknown) => error instanceof MalformedTopicError && reason.test(error.reason) && error.topic === topic,
      );
    });
  }

  it('formatTopic refuses ids that would not parse back', () => {
    assert.throws(() => formatTopic({ kind: 'node', groupId: 'a/b', messageType: 'NDATA', edgeNodeId: 'E' }), MalformedTopicError);
    assert.throws(() => formatTopic({ kind: 'device', groupId: 'G', messageType: 'DDATA', edgeNodeId: 'E', deviceId: '' }), MalformedTopicError);
    assert.throws(() => formatTopic({ kind: 'state', messageType: 'STATE', hostId: 'h#' }), MalformedTopicError);
    const wrongKind = { kind: 'node', groupId: 'G', messageType: 'DDATA', edgeNodeId: 'E' } as unknown as SparkplugTopic;
    assert.throws(() => formatTopic(wrongKind), MalformedTopicError);
  });

  it('isValidSparkplugId accepts UTF-8 ids without + # / and rejects the rest', () => {
    assert.equal(isValidSparkplugId('Line 3 · Pump'), true);
    for (const id of ['', 'a+b', 'a#', 'a/b', '\u0000']) assert.equal(isValidSparkplugId(id), false, JSON.stringify(id));
  });
});
