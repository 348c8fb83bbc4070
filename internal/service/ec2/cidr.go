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

// amazonIPv6Pools are the EC2 IPv6 pools AWS publishes per Region in ip-ranges.json
// (service EC2), which its Amazon-provided /56 blocks come from. A Region outside the
// table draws from 2600:1f00::/24, the block those US pools sit in: a choice, as AWS
// publishes a pool per Region we do not all list.
var amazonIPv6Pools = map[string]netip.Prefix{
	"us-east-1": netip.MustParsePrefix("2600:1f18::/33"),
	"us-west-2": netip.MustParsePrefix("2600:1f14::/35"),
	"sa-east-1": netip.MustParsePrefix("2600:1f1e::/36"),
	"eu-west-1": netip.MustParsePrefix("2a05:d018::/35"),
}

var otherIPv6Pool = netip.MustParsePrefix("2600:1f00::/24")

// amazonIPv6Block is a /56 of the Region's pool for an association: derived from the
// association's id, so that a VPC that gives its block back and asks again gets another,
// as with AWS.
func amazonIPv6Block(region, associationID string) string {
	pool, ok := amazonIPv6Pools[region]
	if !ok {
		pool = otherIPv6Pool
	}
	sum := sha256.Sum256([]byte("xregion/ec2/ipv6/" + associationID))
	a := pool.Addr().As16()
	// Bits pool.Bits() to 55 pick the /56; the hash fills them, the pool's bits stay.
	for bit := pool.Bits(); bit < 56; bit++ {
		if sum[bit/8]&(0x80>>(bit%8)) != 0 {
			a[bit/8] |= 0x80 >> (bit % 8)
		}
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), 56).String()
}

// hostOf is an address of a /64 whose host part is derived from seed, outside the
// addresses AWS keeps.
func hostOf(block netip.Prefix, seed string) netip.Addr {
	sum := sha256.Sum256([]byte("xregion/ec2/ipv6-host/" + seed))
	a := block.Addr().As16()
	copy(a[8:], sum[:8])
	if addr := netip.AddrFrom16(a); !reservedIPv6(addr) {
		return addr
	}
	a[8] |= 0x80 // a host part of 0 to 3, or all ones, is kept: move far from both
	a[15] &^= 0x01
	return netip.AddrFrom16(a)
}

// reservedIPv6 reports whether a is one of the addresses AWS keeps in a /64: the first
// four and the last.
func reservedIPv6(a netip.Addr) bool {
	b := a.As16()
	host := uint64(0)
	for _, x := range b[8:] {
		host = host<<8 | uint64(x)
	}
	return host < 4 || host == ^uint64(0)
}

// macAddress derives a MAC address from an interface id, in the locally administered
// range AWS uses (02:...).
func macAddress(id string) string {
	h := sha256.Sum256([]byte("xregion/ec2/mac/" + id))
	return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4])
}
