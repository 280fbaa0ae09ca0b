/// Why a document is not TOML, and where: the first problem found.
struct TOMLSyntaxError: Error, CustomStringConvertible {
    var message: String
    var location: TOMLLocation

    var description: String { message }
}
