// MARK: - SchemaValidator

/// Checks an object against a CRD's structural schema the way the API server does for custom
/// resources: fields outside the schema are pruned (and reported, for `fieldValidation=Strict`),
/// `null` in a field that is not `nullable` is dropped, and every other violation becomes a
/// field error worded like kube-openapi's, as `apiextensions-apiserver` converts them.
struct SchemaValidator {
    /// Paths of fields the schema does not declare, e.g. `spec.bootstrap.recovery.sauce`.
    private(set) var unknownFields: [String] = []
    private(set) var causes: [FieldCause] = []

    /// The object as it would be stored (unknown fields pruned), plus what was wrong with it.
    /// `apiVersion`, `kind` and `metadata` at the top are the server's own business and are kept as they are.
    static func check(_ object: JSONValue, against root: SchemaNode) -> (pruned: JSONValue, unknownFields: [String], causes: [FieldCause]) {
        var v = SchemaValidator()
        guard case .object(let given) = object else {
            v.causes.append(.typeInvalid("", actual: object, expected: "object"))
            return (object, v.unknownFields, v.causes)
        }
        var kept: [String: JSONValue] = [:]
        let fields = withDefaults(given, root)
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            if ["apiVersion", "kind", "metadata"].contains(key) {
                kept[key] = value
            } else if let schema = root.properties[key] {
                if let checked = v.walk(value, schema, key) { kept[key] = checked }
            } else if root.preservesUnknownFields {
                kept[key] = value
            } else {
                v.unknownFields.append(key)
            }
        }
        for name in root.required where kept[name] == nil && !["apiVersion", "kind", "metadata"].contains(name) {
            v.causes.append(FieldCause(.required, field: name, body: "Required value"))
        }
        return (.object(kept), v.unknownFields, v.causes)
    }

    /// Checks one value; returns it pruned, or nil when it is dropped (a `null` that is not allowed).
    private mutating func walk(_ value: JSONValue, _ schema: SchemaNode, _ path: String) -> JSONValue? {
        if case .null = value { return schema.nullable ? value : nil }
        guard typeMatches(value, schema, path) else { return value }
        if !schema.enumValues.isEmpty, !schema.enumValues.contains(where: { Self.equal($0, value) }) {
            let supported = schema.enumValues.map { $0.stringValue.map(goQuote) ?? $0.serialized() }.joined(separator: ", ")
            causes.append(FieldCause(.notSupported, field: path, body: "Unsupported value: \(goValue(value)): supported values: \(supported)"))
        }
        switch value {
        case .string(let s):
            checkString(s, schema, path)
            return value
        case .int, .double:
            checkNumber(value, schema, path)
            return value
        case .array(let items):
            if let min = schema.minItems, items.count < min {
                causes.append(FieldCause(.invalid, field: path, body: "Invalid value: \(items.count): \(path) in body should have at least \(min) items"))
            }
            if let max = schema.maxItems, items.count > max {
                causes.append(FieldCause(.tooMany, field: path, body: "Too many: \(items.count): must have at most \(max) items"))
            }
            guard let itemSchema = schema.items else { return value }
            return .array(items.enumerated().compactMap { walk($1, itemSchema, "\(path)[\($0)]") })
        case .object(let fields):
            return .object(walkObject(fields, schema, path))
        case .bool, .null:
            return value
        }
    }

    private mutating func walkObject(_ fields: [String: JSONValue], _ schema: SchemaNode, _ path: String) -> [String: JSONValue] {
        var kept: [String: JSONValue] = [:]
        let fields = Self.withDefaults(fields, schema)
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            let child = "\(path).\(key)"
            if let property = schema.properties[key] {
                // An embedded ObjectMeta (`metadata: {type: object}`) is the server's, as at the top.
                if key == "metadata", property.properties.isEmpty, !property.preservesUnknownFields, property.additionalProperties == nil {
                    kept[key] = value
                } else if let checked = walk(value, property, child) {
                    kept[key] = checked
                }
            } else if schema.embeddedResource, ["apiVersion", "kind", "metadata"].contains(key) {
                kept[key] = value
            } else if let values = schema.additionalProperties {
                if let checked = walk(value, values, child) { kept[key] = checked }
            } else if schema.allowsAnyAdditional || schema.preservesUnknownFields {
                kept[key] = value
            } else {
                unknownFields.append(child)
            }
        }
        for name in schema.required where kept[name] == nil {
            causes.append(FieldCause(.required, field: "\(path).\(name)", body: "Required value"))
        }
        return kept
    }

    /// Fills absent fields (or a `null` where null is not allowed) with their schema defaults,
    /// as the API server does before it validates.
    static func withDefaults(_ fields: [String: JSONValue], _ schema: SchemaNode) -> [String: JSONValue] {
        var out = fields
        for (key, property) in schema.properties {
            guard let value = property.defaultValue else { continue }
            if out[key] == nil || (out[key] == .null && !property.nullable) { out[key] = value }
        }
        return out
    }

    // MARK: Keywords

    private mutating func typeMatches(_ value: JSONValue, _ schema: SchemaNode, _ path: String) -> Bool {
        if schema.intOrString {
            if value.intValue != nil || value.stringValue != nil { return true }
            causes.append(.typeInvalid(path, actual: value, expected: "integer"))
            causes.append(.typeInvalid(path, actual: value, expected: "string"))
            return false
        }
        guard let type = schema.type else { return true }
        let ok = switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .int), ("number", .double): true
        case ("integer", _): value.intValue != nil
        default: false
        }
        if !ok { causes.append(.typeInvalid(path, actual: value, expected: type)) }
        return ok
    }

    private mutating func checkString(_ s: String, _ schema: SchemaNode, _ path: String) {
        let length = s.unicodeScalars.count
        if let min = schema.minLength, length < min {
            causes.append(FieldCause(.invalid, field: path, body: "Invalid value: \(goQuote(s)): \(path) in body should be at least \(min) chars long"))
        }
        if let max = schema.maxLength, length > max {
            causes.append(FieldCause(.tooLong, field: path, body: "Too long: may not be more than \(max) bytes"))
        }
        if let pattern = schema.pattern, let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
            causes.append(FieldCause(.invalid, field: path, body: "Invalid value: \(goQuote(s)): \(path) in body should match '\(pattern)'"))
        }
    }

    private mutating func checkNumber(_ value: JSONValue, _ schema: SchemaNode, _ path: String) {
        let number: Double
        switch value {
        case .int(let i): number = Double(i)
        case .double(let d): number = d
        default: return
        }
        if let min = schema.minimum, schema.exclusiveMinimum ? number <= min : number < min {
            let relation = schema.exclusiveMinimum ? "greater than" : "greater than or equal to"
            causes.append(FieldCause(.invalid, field: path, body: "Invalid value: \(goValue(value)): \(path) in body should be \(relation) \(goNumber(min))"))
        }
        if let max = schema.maximum, schema.exclusiveMaximum ? number >= max : number > max {
            let relation = schema.exclusiveMaximum ? "less than" : "less than or equal to"
            causes.append(FieldCause(.invalid, field: path, body: "Invalid value: \(goValue(value)): \(path) in body should be \(relation) \(goNumber(max))"))
        }
    }

    /// JSON equality as the validator sees it: 2 and 2.0 are the same number.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): Double(x) == y
        default: a == b
        }
    }
}

// MARK: - Go-style value text

/// The JSON type name kube-openapi reports for a value (`must be of type integer: "string"`).
func jsonTypeName(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "boolean"
    case .int: "integer"
    case .double(let d): d.rounded() == d ? "integer" : "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
}

/// Go's `%q` for the plain strings manifests hold.
func goQuote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}

/// How `field.Error` prints a bad value: strings quoted, numbers and booleans bare, the rest as JSON.
func goValue(_ value: JSONValue) -> String {
    switch value {
    case .string(let s): goQuote(s)
    case .int(let i): String(i)
    case .double(let d): goNumber(d)
    case .bool(let b): b ? "true" : "false"
    case .null: "null"
    case .array, .object: value.serialized()
    }
}

/// Go's `%v` of a float64: integral values without a fraction.
func goNumber(_ d: Double) -> String {
    if d.rounded() == d, abs(d) < 1e15 { return String(Int(d)) }
    return String(d)
}
