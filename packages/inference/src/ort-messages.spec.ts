import { describe, expect, it } from 'vitest';
import { withoutPaths } from './ort-messages';

describe('withoutPaths', () => {
  it("names the loaded file by what it is and keeps ONNX Runtime's reason", () => {
    const message =
      'Load model from /tmp/maas-upload-1f2e failed:Fatal error: custom.x:Foo(-1) is not a registered function/op';
    expect(withoutPaths(message, { path: '/tmp/maas-upload-1f2e', as: 'the uploaded file' })).toBe(
      'Load model from the uploaded file failed:Fatal error: custom.x:Foo(-1) is not a registered function/op',
    );
  });

  it('replaces any other absolute path, POSIX or Windows, and leaves relative words alone', () => {
    expect(
      withoutPaths("cannot open '/var/lib/maas/cache/ab/cd.onnx' (see C:\\ort\\x.dll) in model/op"),
    ).toBe("cannot open '<path>' (see <path>) in model/op");
    expect(withoutPaths('/root/x.onnx_data missing')).toBe('<path> missing');
    expect(withoutPaths('shape [1,2] and 3/4 rows')).toBe('shape [1,2] and 3/4 rows');
  });
});
