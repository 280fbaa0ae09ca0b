/// The fixed 128-bit MESSAGE_ID of each kind of event compactd logs, so operators can filter
/// (`journalctl MESSAGE_ID=...`) and `journalctl -x` can explain each from Units/compactd.catalog.
/// These ids never change.
public enum JournalMessageID {
    public static let byMessage: [String: String] = [
        "started": "ad888d67997b43f5a47d408626125de1",
        "ready": "886905f437954f129a049c7e630b0ef3",
        "reloaded": "c53acca2868f469ea6372e15ad81956c",
        "reload failed": "2b31d8a9741c42b79501abcf264d6cdf",
        "reminder due": "45dd080e82ad4c6b94b3eed14da17bf7",
        "delivered": "627105e4c9694207b3ca910c911f5a2a",
        "delivery failed, will retry": "51456b5ca4e34af1886355d43538337f",
        "delivery dead-lettered": "661f0fb3019e41fbbff2b59f10885da8",
        "channel disabled": "91bdfa91a14946f7b99422074db51d7a",
        "acknowledged": "8dc4964e0ee4489e9a6e2c00e663f436",
        "reminder missed": "97798e5a4add410e9ef34c18995303e0",
        "stopping": "9e013fb77fa147cf86095c69be5fe1d2",
        "notice": "36148b9e62364d82abfab66e2774b3a6",
        "state store unavailable": "93cd19034cbd4c7197fa21e155d1cdb9",
        "state store available again": "2152e47f66494dbda326696e325f73f2",
        "recovered interrupted deliveries": "54dbdb5efd954bbe959efd2dfe1b0353",
        "another instance is running": "4d444ab6dd3e443a9a91106e46810e0b",
        "operator change": "b7a4f2e08c0d4a55a3d5f1c2e9b86d14",
        "configuration loaded": "e3f1a6c25b7d4f0e9a8c3b2d1f4e5a60",
    ]
}
