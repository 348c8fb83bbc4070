package arn

import "testing"

func TestInPartition(t *testing.T) {
	cases := []struct{ in, partition, want string }{
		{"arn:aws:iam::123456789012:root", "aws-cn", "arn:aws-cn:iam::123456789012:root"},
		{"arn:aws:sts::123456789012:assumed-role/r/s", "aws-us-gov", "arn:aws-us-gov:sts::123456789012:assumed-role/r/s"},
		{"arn:aws-cn:iam::123456789012:user/a:b", "aws", "arn:aws:iam::123456789012:user/a:b"},
		{"arn:aws:iam::123456789012:root", "aws", "arn:aws:iam::123456789012:root"},
		{"arn:aws:iam::123456789012:root", "", "arn:aws:iam::123456789012:root"},
		{"not-an-arn", "aws-cn", "not-an-arn"},
		{"arn:aws-us-gov:iam::123456789012:root", "aws-us-gov", "arn:aws-us-gov:iam::123456789012:root"},
		{"arn:aws-us-gov:iam::123456789012:root", "aws-us", "arn:aws-us:iam::123456789012:root"},
		{"arn:aws", "aws", "arn:aws"},
	}
	for _, c := range cases {
		if got := InPartition(c.in, c.partition); got != c.want {
			t.Errorf("InPartition(%q, %q) = %q, want %q", c.in, c.partition, got, c.want)
		}
	}
}

// An ARN already in the partition is handed back as it is, without parsing it.
func TestInPartitionKeepsWithoutAllocating(t *testing.T) {
	in := "arn:aws:iam::123456789012:user/alice"
	if n := testing.AllocsPerRun(100, func() { _ = InPartition(in, "aws") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
