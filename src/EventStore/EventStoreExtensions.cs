using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.EventSourcing.Sequencing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.EventSourcing;

public static class EventStoreExtensions
{
    /// <summary>
    /// Registers the event store over the given data source: schema migration at start-up (before anything else
    /// of the store runs), the sequencer, the feed listener, the subscription runner and the lag gauges.
    /// </summary>
    public static IServiceCollection AddEventStore(this IServiceCollection services,
        Func<IServiceProvider, NpgsqlDataSource> dataSource, Action<EventStoreOptions>? configure = null)
    {
        var options = new EventStoreOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new EventStore(dataSource(sp), options));
        // Hosted services start in registration order, and StartAsync of the migrator completes first.
        services.AddHostedService<EventStoreMigrator>();
        services.AddSingleton<FeedNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedNotifier>());
        services.AddSingleton<Sequencer>();
        services.AddHostedService(sp => sp.GetRequiredService<Sequencer>());
        services.AddSingleton<SubscriptionRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<SubscriptionRunner>());
        services.AddMetrics();
        services.AddSingleton<FeedLag>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedLag>());
        return services;
    }

    public static IServiceCollection AddProjection<T>(this IServiceCollection services) where T : class, IProjection =>
        services.AddSingleton<IProjection, T>();

    public static IServiceCollection AddEventRelay<T>(this IServiceCollection services) where T : class, IEventRelay =>
        services.AddSingleton<IEventRelay, T>();

    private sealed class EventStoreMigrator(EventStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            EventStoreSchema.MigrateAsync(store.DataSource, store.Options, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
