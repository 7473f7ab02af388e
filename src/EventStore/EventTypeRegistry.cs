using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StatusPlatform.EventSourcing;

/// <summary>
/// Maps event CLR types to the stable aliases stored in the table (never the CLR name, so a rename or a
/// namespace move does not orphan old events) and upcasts old schema versions on read.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<string, Registration> _byAlias = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, Registration> _byType = new();

    /// <summary>Registers <typeparamref name="TEvent"/> under <paramref name="alias"/> at its current schema version.</summary>
    public EventTypeRegistry Register<TEvent>(string alias, int schemaVersion = 1) => Register(typeof(TEvent), alias, schemaVersion);

    public EventTypeRegistry Register(Type type, string alias, int schemaVersion = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        var registration = new Registration(type, alias, schemaVersion);
        if (!_byAlias.TryAdd(alias, registration) && _byAlias[alias].Type != type)
            throw new InvalidOperationException($"Event alias '{alias}' is already registered for {_byAlias[alias].Type.Name}.");
        if (!_byType.TryAdd(type, registration) && _byType[type].Alias != alias)
            throw new InvalidOperationException($"Event type {type.Name} is already registered as '{_byType[type].Alias}'.");
        return this;
    }

    /// <summary>
    /// Adds a step that turns the JSON of <paramref name="alias"/> at <paramref name="fromSchemaVersion"/> into the JSON of
    /// the next version. Steps run in order until the registered version is reached.
    /// </summary>
    public EventTypeRegistry AddUpcaster(string alias, int fromSchemaVersion, Func<JsonObject, JsonObject> upcast)
    {
        var registration = _byAlias.TryGetValue(alias, out var r)
            ? r
            : throw new InvalidOperationException($"Register event alias '{alias}' before adding upcasters to it.");
        if (fromSchemaVersion >= registration.SchemaVersion)
            throw new ArgumentOutOfRangeException(nameof(fromSchemaVersion), $"'{alias}' is at schema version {registration.SchemaVersion}; an upcaster must start below it.");
        if (!registration.Upcasters.TryAdd(fromSchemaVersion, upcast))
            throw new InvalidOperationException($"'{alias}' already has an upcaster from schema version {fromSchemaVersion}.");
        return this;
    }

    internal (string Alias, int SchemaVersion) Describe(Type type) =>
        _byType.TryGetValue(type, out var r)
            ? (r.Alias, r.SchemaVersion)
            : throw new InvalidOperationException($"Event type {type.FullName} has no alias; register it with EventTypeRegistry.Register<{type.Name}>(\"alias\").");

    internal object Deserialize(string alias, int schemaVersion, string json, JsonSerializerOptions options)
    {
        if (!_byAlias.TryGetValue(alias, out var registration))
            throw new InvalidOperationException($"No event type is registered for the stored alias '{alias}'.");
        if (schemaVersion == registration.SchemaVersion)
            return JsonSerializer.Deserialize(json, registration.Type, options)
                ?? throw new InvalidOperationException($"Stored event '{alias}' has null data.");
        if (schemaVersion > registration.SchemaVersion)
            throw new InvalidOperationException($"Stored event '{alias}' has schema version {schemaVersion}, newer than this code's {registration.SchemaVersion}.");

        var node = JsonNode.Parse(json) as JsonObject
            ?? throw new InvalidOperationException($"Stored event '{alias}' is not a JSON object.");
        for (var version = schemaVersion; version < registration.SchemaVersion; version++)
        {
            if (!registration.Upcasters.TryGetValue(version, out var step))
                throw new InvalidOperationException($"Event '{alias}' has no upcaster from schema version {version} to {version + 1}.");
            node = step(node);
        }
        return node.Deserialize(registration.Type, options)
            ?? throw new InvalidOperationException($"Upcasting '{alias}' produced null.");
    }

    private sealed record Registration(Type Type, string Alias, int SchemaVersion)
    {
        public ConcurrentDictionary<int, Func<JsonObject, JsonObject>> Upcasters { get; } = new();
    }
}
