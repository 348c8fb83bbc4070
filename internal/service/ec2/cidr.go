package ec2

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
)

// anywhere is the IPv4 block of every address.
const anywhere = "0.0.0.0/0"

// parseBlock parses a CIDR block in canonical form (its address is the network's first);
// EC2 refuses "10.0.0.1/16".
func parseBlock(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}

// parseIPv4Block parses an IPv4 CIDR block in canonical form.
func parseIPv4Block(s string) (netip.Prefix, bool) {
	p, ok := parseBlock(s)
	return p, ok && p.Addr().Is4()
}

func overlaps(a, b string) bool {
	pa, oka := parseBlock(a)
	pb, okb := parseBlock(b)
	return oka && okb && pa.Overlaps(pb)
}

// contains reports whether block outer contains block inner.
func contains(outer, inner string) bool {
	po, oko := parseBlock(outer)
	pi, oki := parseBlock(inner)
	return oko && oki && po.Bits() <= pi.Bits() && po.Contains(pi.Addr())
}

// addressCount is the number of addresses of an IPv4 block.
func addressCount(p netip.Prefix) int64 { return int64(1) << (32 - p.Bits()) }

// nthAddress is the address n places after the block's first.
func nthAddress(p netip.Prefix, n int64) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// reservedAddresses are the addresses of every subnet AWS keeps for itself: the first
// four and the last.
const reservedAddresses = 5

// amazonIPv6Block is the /56 AWS assigns a VPC from its pool: derived from the VPC id, in
// 2600:1f18::/32, the range AWS uses in us-east-1.
func amazonIPv6Block(vpcID string) string {
	sum := sha256.Sum256([]byte("xregion/ec2/ipv6/" + vpcID))
	return fmt.Sprintf("2600:1f18:%02x%02x:%02x00::/56", sum[0], sum[1], sum[2])
}

// subnetIPv6 checks that block is a /64 of the VPC's /56.
func subnetIPv6(vpcBlock, block string) bool {
	p, ok := parseBlock(block)
	return ok && p.Addr().Is6() && p.Bits() == 64 && contains(vpcBlock, block)
}

// macAddress derives a MAC address from an interface id, in the locally administered
// range AWS uses (02:...).
func macAddress(id string) string {
	h := sha256.Sum256([]byte("xregion/ec2/mac/" + id))
	return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4])
}
