import { describe, expect, it } from 'vitest';
import { parseUploadAnswer, versionUploadContentType } from './upload';

describe('parseUploadAnswer', () => {
  it('returns the JSON of a 2xx answer', () => {
    expect(parseUploadAnswer(201, '{"id":"a","version":2}')).toEqual({
      ok: true,
      value: { id: 'a', version: 2 },
    });
  });
  it("returns the API's message and code", () => {
    expect(
      parseUploadAnswer(
        400,
        '{"error":"ONNX Runtime cannot load the model: bad proto","code":"BAD_USER_INPUT"}',
      ),
    ).toEqual({
      ok: false,
      error: { message: 'ONNX Runtime cannot load the model: bad proto', code: 'BAD_USER_INPUT' },
    });
  });
  it('explains statuses without a body', () => {
    expect(parseUploadAnswer(413, '')).toEqual({
      ok: false,
      error: { message: expect.stringContaining('MAX_UPLOAD_BYTES'), code: 'QUOTA_EXCEEDED' },
    });
    expect(parseUploadAnswer(502, '<html>')).toEqual({
      ok: false,
      error: { message: 'The API answered HTTP 502.', code: undefined },
    });
  });
});

describe('versionUploadContentType', () => {
  it('sends bundle archives by their format and anything else as one ONNX file', () => {
    expect(versionUploadContentType('tiny-gpt2.tar')).toBe('application/x-tar');
    expect(versionUploadContentType('Tiny-GPT2.TAR.GZ')).toBe('application/gzip');
    expect(versionUploadContentType('bundle.tgz')).toBe('application/gzip');
    expect(versionUploadContentType('bundle.zip')).toBe('application/zip');
    expect(versionUploadContentType('model.onnx')).toBe('application/octet-stream');
    expect(versionUploadContentType('model.gz')).toBe('application/octet-stream');
  });
});
