import { describe, expect, it } from 'vitest';
import { dockerfileBases } from './dockerfile-bases.js';
import { imageTag } from './docker-images.js';

describe('dockerfileBases', () => {
  it.each([
    ['one FROM', 'FROM debian:bookworm-slim\nRUN true', {}, ['debian:bookworm-slim']],
    ['flags and stage names', 'FROM --platform=linux/amd64 golang:1.22 AS build\nRUN go build\nFROM build AS test\nFROM alpine:3.20\nCOPY --from=build /x /x', {}, ['golang:1.22', 'alpine:3.20']],
    ['scratch is no image', 'FROM busybox AS b\nFROM scratch\nCOPY --from=b /bin/sh /sh', {}, ['busybox']],
    ['ARG defaults before FROM', 'ARG BASE=python\nARG TAG="3.12-slim"\nFROM ${BASE}:$TAG', {}, ['python:3.12-slim']],
    ['build args override defaults', 'ARG TAG=3.12\nFROM python:${TAG}', { TAG: '3.13' }, ['python:3.13']],
    ['${X:-default}', 'FROM ${IMG:-debian}:bookworm', {}, ['debian:bookworm']],
    ['continuations, comments, case', '# a comment\nfrom \\\n  --platform=$BUILDPLATFORM \\\n  node:20 as deps\n\nFROM deps', {}, ['node:20']],
    ['duplicates once', 'FROM debian:12 AS a\nFROM debian:12 AS b', {}, ['debian:12']],
    ['escape directive', '# escape=`\nFROM `\n  mcr.microsoft.com/windows/servercore:ltsc2022', {}, ['mcr.microsoft.com/windows/servercore:ltsc2022']],
    ['ARG after FROM is not a FROM variable', 'FROM debian:12\nARG X=1', {}, ['debian:12']],
  ])('%s', (_name, text, args, expected) => {
    expect(dockerfileBases(text, args)).toEqual(expected);
  });
});

describe('imageTag', () => {
  it('changes when a base image id changes, and only then', () => {
    const hash = 'a'.repeat(64);
    const one = imageTag(hash, [{ ref: 'debian:12', id: 'sha256:1' }]);
    expect(imageTag(hash, [{ ref: 'debian:12', id: 'sha256:1' }])).toBe(one);
    expect(imageTag(hash, [{ ref: 'debian:12', id: 'sha256:2' }])).not.toBe(one);
    expect(imageTag(hash, [])).toBe(hash.slice(0, 16));
    expect(one).toMatch(/^[0-9a-f]{16}$/);
  });
});
