using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.Commands;

/// <summary>
/// What every command consumer of this service does the same way: answer with exactly one of CommandAccepted,
/// CommandRejected or CommandConflict; decide again when a concurrent writer (a fold, the maintenance clock, another
/// instance) moved a stream that was read; derive ids from the request so a redelivered command finds its work done.
/// </summary>
public abstract class CommandConsumer(EventStore store, ILogger logger)
{
    private const int Attempts = 5;

    protected EventStore Store => store;

    protected async Task AnswerAsync<T>(ConsumeContext<T> context, Func<CancellationToken, Task<object>> handle) where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var answer = await handle(context.CancellationToken);
                await context.RespondAsync(answer, answer.GetType());
                return;
            }
            catch (EventSourcing.ConcurrencyException e) when (attempt < Attempts)
            {
                logger.LogDebug(e, "{Command} met a concurrent change (attempt {Attempt}); deciding again", typeof(T).Name, attempt);
            }
        }
    }

    protected async Task<Dictionary<string, Aggregated<Component>>> LoadComponentsAsync(IEnumerable<string?> ids, CancellationToken ct)
    {
        var components = new Dictionary<string, Aggregated<Component>>(StringComparer.Ordinal);
        foreach (var id in ids.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await store.AggregateStreamAsync<Component>(Component.StreamId(id), ct: ct) is { State.Removed: false } component)
                components[id] = component;
        }
        return components;
    }

    protected static Dictionary<string, Component> States(Dictionary<string, Aggregated<Component>> components) =>
        components.ToDictionary(c => c.Key, c => c.Value.State, StringComparer.Ordinal);

    protected static CommandRejected Refused(IReadOnlyDictionary<string, string[]> errors) => new("The command was refused; nothing was changed", errors);

    protected static CommandRejected NotFound(string what, string? id) =>
        new($"No {what} '{id}'", new Dictionary<string, string[]> { [$"{what}_id"] = [$"'{id}' does not exist"] }, NotFound: true);

    /// <summary>A 12-character id from the request's id: the same request always names the same incident, update or maintenance.</summary>
    protected static string DerivedId<T>(ConsumeContext<T> context, string purpose) where T : class =>
        Ids.Derived($"{purpose}:{context.RequestId ?? context.MessageId ?? throw new InvalidOperationException("A command arrived without a message id."):N}");

    protected static EventMetadata Actor(string actor) => new EventMetadata(Actor: actor).WithAmbientTrace();
}
