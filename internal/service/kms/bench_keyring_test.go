package kms

import (
	"strconv"
	"testing"

	"github.com/xregion/xregion/internal/store"
)

// The Keyring is on the hot path of Secrets Manager's GetSecretValue: one Decrypt inside
// the caller's read transaction per request.

func benchKeyring(b *testing.B, size int) (*fixture, string, []byte, map[string]string) {
	f := newFixture(b)
	md := f.createKey(b, east, nil)
	ec := map[string]string{"SecretARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf", "SecretVersionId": "v1"}
	var blob []byte
	if err := f.st.Update(func(tx store.Tx) error {
		var err error
		blob, _, err = f.kr.Encrypt(tx, testAccount, east, *md.KeyId, make([]byte, size), ec)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return f, *md.KeyId, blob, ec
}

func BenchmarkKeyringEncrypt(b *testing.B) {
	for _, size := range []int{256, 4096, 65536} {
		b.Run(sizeName(size), func(b *testing.B) {
			f, id, _, ec := benchKeyring(b, size)
			pt := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				f.st.View(func(tx store.Tx) error {
					if _, _, err := f.kr.Encrypt(tx, testAccount, east, id, pt, ec); err != nil {
						b.Fatal(err)
					}
					return nil
				})
			}
		})
	}
}

func BenchmarkKeyringDecrypt(b *testing.B) {
	for _, size := range []int{256, 4096, 65536} {
		b.Run(sizeName(size), func(b *testing.B) {
			f, _, blob, ec := benchKeyring(b, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				f.st.View(func(tx store.Tx) error {
					if _, _, err := f.kr.Decrypt(tx, testAccount, east, blob, ec); err != nil {
						b.Fatal(err)
					}
					return nil
				})
			}
		})
	}
}

func BenchmarkKeyringDecryptParallel(b *testing.B) {
	f, _, blob, ec := benchKeyring(b, 256)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.st.View(func(tx store.Tx) error {
				if _, _, err := f.kr.Decrypt(tx, testAccount, east, blob, ec); err != nil {
					b.Error(err)
				}
				return nil
			})
		}
	})
}

func sizeName(n int) string {
	if n >= 1024 {
		return strconv.Itoa(n/1024) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
