using Spectre.Console.Cli;

namespace BertFunctions.Cli;

/// <summary>
/// Minimal Spectre.Console.Cli type registrar: hands commands the injected <see cref="ConsoleStreams"/>.
/// The CLI has no other services yet; a full container would be heavier than the job.
/// </summary>
internal sealed class SingletonRegistrar(ConsoleStreams streams) : ITypeRegistrar
{
    private readonly Dictionary<Type, Func<object>> factories = new() { [typeof(ConsoleStreams)] = () => streams };

    public void Register(Type service, Type implementation) => factories[service] = () => Create(implementation);

    public void RegisterInstance(Type service, object implementation) => factories[service] = () => implementation;

    public void RegisterLazy(Type service, Func<object> factory) => factories[service] = factory;

    public ITypeResolver Build() => new Resolver(this);

    private object Create(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray();
        return constructor.Invoke(arguments);
    }

    private object? Resolve(Type? type)
    {
        if (type is null)
        {
            return null;
        }

        if (factories.TryGetValue(type, out var factory))
        {
            return factory();
        }

        return type.IsAbstract || type.IsInterface ? null : Create(type);
    }

    private sealed class Resolver(SingletonRegistrar registrar) : ITypeResolver
    {
        public object? Resolve(Type? type) => registrar.Resolve(type);
    }
}
