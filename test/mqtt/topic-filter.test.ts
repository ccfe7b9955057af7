/** Unit tests of MQTT topic filter matching and validation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertTopicFilter,
  assertTopicName,
  matchTopic,
  sharedFilter,
  topicFilterProblem,
  topicNameProblem,
} from '../../src/mqtt/topic-filter.ts';

describe('matchTopic', () => {
  const cases: ReadonlyArray<readonly [filter: string, topic: string, expected: boolean]> = [
    // exact
    ['a/b', 'a/b', true],
    ['a/b', 'a/bc', false],
    ['a/bc', 'a/b', false],
    ['a/b', 'a/b/c', false],
    ['/a', '/a', true],
    ['/a', 'a', false],
    // '#' (MQTT 3.1.1 §4.7.1.2 examples)
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/tennis/player1/#', 'sport/tennis/player2', false],
    ['sport/#', 'sport', true],
    ['sport/#', 'sports', false],
    ['#', 'a', true],
    ['#', 'a/b/c', true],
    ['#', '/', true],
    // '+' (MQTT 3.1.1 §4.7.1.3 examples)
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player2', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['+', 'finance', true],
    ['+/#', 'a', true],
    ['+/#', 'a/b/c', true],
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a//c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/+/+/#', 'a/b/c', true],
    ['a/+/+/#', 'a/b', false],
    // '$' topics [MQTT-4.7.2-1]
    ['#', '$SYS/broker/uptime', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['$SYS/#', '$SYS/monitor/Clients', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ['a/#', 'a/$b', true],
  ];
  for (const [filter, topic, expected] of cases) {
    it(`${filter} ${expected ? 'matches' : 'does not match'} ${topic}`, () => {
      assert.equal(matchTopic(filter, topic), expected);
    });
  }
});

describe('topic filter validation', () => {
  it('accepts valid filters', () => {
    for (const filter of ['a', '#', '+', 'a/#', '+/+', 'a/+/b/#', '/', '$SYS/#', 'spBv1.0/+/NBIRTH/+']) {
      assert.equal(topicFilterProblem(filter), null, filter);
    }
  });

  it('rejects misplaced wildcards and empty filters', () => {
    for (const filter of ['', 'a#', 'a/#/b', '#/a', 'a/b#', 'a+', 'a/+b', '+a/b', 'a\u0000b']) {
      assert.notEqual(topicFilterProblem(filter), null, filter);
    }
    assert.throws(() => assertTopicFilter('a/#/b'), /invalid MQTT topic filter "a\/#\/b"/);
  });

  it('rejects topic names with wildcards [MQTT-3.3.2-2]', () => {
    assert.equal(topicNameProblem('a/b'), null);
    assert.notEqual(topicNameProblem('a/+'), null);
    assert.notEqual(topicNameProblem('a/#'), null);
    assert.notEqual(topicNameProblem(''), null);
    assert.throws(() => assertTopicName('a/+'), /invalid MQTT topic name/);
  });

  it('builds shared subscription filters and rejects bad share names [MQTT-4.8.2-2]', () => {
    assert.equal(sharedFilter('hubs', 'spBv1.0/#'), '$share/hubs/spBv1.0/#');
    assert.throws(() => sharedFilter('', 'a'), /shared subscription group/);
    assert.throws(() => sharedFilter('a/b', 'a'), /shared subscription group/);
    assert.throws(() => sharedFilter('a+', 'a'), /shared subscription group/);
    assert.throws(() => sharedFilter('g', 'a/#/b'), /invalid MQTT topic filter/);
  });
});
