using System.Collections.Frozen;
using System.Reflection;

namespace StatusPlatform.EventSourcing.Aggregation;

/// <summary>
/// Folds stored events into an immutable aggregate through its public <c>static T Create(E)</c> and
/// <c>T Apply(E)</c> methods, found once per type. A missing method is an error naming the event type:
/// silently skipping an event would make the aggregate lie.
/// </summary>
public static class AggregateFolder
{
    public static T Fold<T>(T? state, StoredEvent e) where T : class
    {
        var (creators, appliers) = (Methods<T>.Creators, Methods<T>.Appliers);
        var eventType = e.Data.GetType();
        if (state is null)
        {
            return creators.TryGetValue(eventType, out var create)
                ? Invoke<T>(create, null, e)
                : throw new InvalidOperationException(
                    $"{typeof(T).Name} has no 'public static {typeof(T).Name} Create({eventType.Name})' to start stream '{e.StreamId}' (event '{e.EventType}' at version {e.Version}).");
        }
        return appliers.TryGetValue(eventType, out var apply)
            ? Invoke(apply, state, e)
            : throw new InvalidOperationException(
                $"{typeof(T).Name} has no 'public {typeof(T).Name} Apply({eventType.Name})' for event '{e.EventType}' at version {e.Version} of stream '{e.StreamId}'.");
    }

    private static T Invoke<T>(MethodInfo method, T? target, StoredEvent e) where T : class
    {
        try
        {
            return (T)method.Invoke(target, [e.Data])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    // Found once per aggregate type, on first use.
    private static class Methods<T>
    {
        public static readonly FrozenDictionary<Type, MethodInfo> Creators = Find(BindingFlags.Public | BindingFlags.Static, "Create");
        public static readonly FrozenDictionary<Type, MethodInfo> Appliers = Find(BindingFlags.Public | BindingFlags.Instance, "Apply");

        private static FrozenDictionary<Type, MethodInfo> Find(BindingFlags flags, string name) =>
            typeof(T).GetMethods(flags)
                .Where(m => m.Name == name && m.ReturnType == typeof(T) && m.GetParameters().Length == 1)
                .ToFrozenDictionary(m => m.GetParameters()[0].ParameterType);
    }
}
