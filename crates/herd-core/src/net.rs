//! Networks, as operators and moderators write them: `10.0.0.0/8`, `2001:db8::/32` or a
//! single address.

use std::fmt;
use std::net::IpAddr;

/// A network written as `10.0.0.0/8`, `2001:db8::/32` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not a network: write an address or address/prefix, as 10.0.0.0/8 or fd00::/8");
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { net, bits })
    }

    /// A comma-separated list; empty gives none.
    pub fn parse_list(s: &str) -> Result<Vec<Cidr>, String> {
        s.split(',').filter(|p| !p.trim().is_empty()).map(Cidr::parse).collect()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

impl Cidr {
    /// The network with the bits past its prefix cleared (`10.1.2.3/8` is `10.0.0.0/8`).
    pub fn normalized(self) -> Cidr {
        let net = match self.net {
            IpAddr::V4(a) => {
                let mut o = a.octets();
                clear(&mut o, self.bits);
                IpAddr::from(o)
            }
            IpAddr::V6(a) => {
                let mut o = a.octets();
                clear(&mut o, self.bits);
                IpAddr::from(o)
            }
        };
        Cidr { net, bits: self.bits }
    }
}

fn clear(o: &mut [u8], bits: u8) {
    for (i, b) in o.iter_mut().enumerate() {
        let from = (i * 8) as u8;
        if from >= bits {
            *b = 0;
        } else if bits - from < 8 {
            *b &= 0xffu8 << (8 - (bits - from));
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let c = Cidr::parse("10.1.2.3/8").unwrap().normalized();
        assert_eq!(c.to_string(), "10.0.0.0/8");
        assert!(c.contains("10.200.0.1".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        assert_eq!(Cidr::parse("192.168.1.7").unwrap().to_string(), "192.168.1.7/32");
        assert_eq!(Cidr::parse("2001:db8::1/32").unwrap().normalized().to_string(), "2001:db8::/32");
        assert!(Cidr::parse("nope").is_err() && Cidr::parse("10.0.0.0/33").is_err());
    }
}
