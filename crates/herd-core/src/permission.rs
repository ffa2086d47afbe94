//! What each role may do, as Mastodon's `UserRole` permission bits, with Mastodon's three
//! built-in roles (`config/roles.yml`): moderators work reports and accounts, admins also
//! federation, blocks, settings and appeals, owners everything. Apps read the bits from
//! `role.permissions` to decide which admin screens to offer.

use crate::names::Role;

/// One permission; the value is Mastodon's bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Permission {
    Administrator = 1,
    ViewDevops = 1 << 1,
    ViewAuditLog = 1 << 2,
    ViewDashboard = 1 << 3,
    ManageReports = 1 << 4,
    ManageFederation = 1 << 5,
    ManageSettings = 1 << 6,
    ManageBlocks = 1 << 7,
    ManageTaxonomies = 1 << 8,
    ManageAppeals = 1 << 9,
    ManageUsers = 1 << 10,
    ManageInvites = 1 << 11,
    ManageRules = 1 << 12,
    ManageAnnouncements = 1 << 13,
    ManageCustomEmojis = 1 << 14,
    ManageWebhooks = 1 << 15,
    InviteUsers = 1 << 16,
    ManageRoles = 1 << 17,
    ManageUserAccess = 1 << 18,
    DeleteUserData = 1 << 19,
    ViewFeeds = 1 << 20,
}

use Permission::*;

const MODERATOR: &[Permission] = &[ViewDashboard, ViewAuditLog, ViewFeeds, ManageUsers, ManageReports, ManageTaxonomies];
const ADMIN: &[Permission] = &[
    ViewDashboard,
    ViewAuditLog,
    ViewFeeds,
    ManageUsers,
    ManageUserAccess,
    DeleteUserData,
    ManageReports,
    ManageTaxonomies,
    ManageFederation,
    ManageSettings,
    ManageBlocks,
    ManageAppeals,
    ManageRules,
    ManageInvites,
    ManageAnnouncements,
    ManageCustomEmojis,
    ManageWebhooks,
    ManageRoles,
];

impl Role {
    /// Mastodon's permission bits of this role (`role.permissions` in the API).
    pub fn permission_bits(self) -> u32 {
        match self {
            Role::Owner => Administrator as u32,
            Role::Admin => ADMIN.iter().fold(0, |b, p| b | *p as u32),
            Role::Moderator => MODERATOR.iter().fold(0, |b, p| b | *p as u32),
            Role::Member => InviteUsers as u32,
        }
    }

    /// Whether this role holds `p`; administrators hold every permission.
    pub fn can(self, p: Permission) -> bool {
        let bits = self.permission_bits();
        bits & (Administrator as u32) != 0 || bits & (p as u32) != 0
    }

    /// Mastodon's role position: a moderator may act only on accounts whose role is below
    /// their own (`UserRole#overrides?`).
    pub fn position(self) -> u32 {
        match self {
            Role::Owner => 1000,
            Role::Admin => 100,
            Role::Moderator => 10,
            Role::Member => 0,
        }
    }

    pub fn overrides(self, other: Role) -> bool {
        self.position() > other.position()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_as_mastodon_seeds_them() {
        assert!(Role::Moderator.can(ManageReports) && !Role::Moderator.can(ManageFederation));
        assert!(Role::Admin.can(ManageBlocks) && !Role::Admin.can(ViewDevops));
        assert!(Role::Owner.can(ViewDevops));
        assert!(!Role::Member.can(ManageReports));
        assert!(Role::Admin.overrides(Role::Moderator) && !Role::Moderator.overrides(Role::Moderator));
        assert_eq!(Role::Moderator.permission_bits(), 1_049_884);
    }
}
