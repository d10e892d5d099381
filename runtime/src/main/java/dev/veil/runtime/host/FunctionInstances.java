package dev.veil.runtime.host;

import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;
import dev.veil.runtime.spi.HostScope;
import java.lang.reflect.InvocationTargetException;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates the instances that non-static function methods run on, as the Azure Java worker does:
 * through the app's own {@link FunctionInstanceInjector} when the app registers one with {@link
 * ServiceLoader} (a Guice, Dagger or Spring bridge), else through the class's no-argument
 * constructor. The injector is looked up once per app class loader and asked for a new instance on
 * every invocation, as on Azure. Without an app injector, a class with a public constructor taking
 * a {@link HostScope} gets this host's scope through it (Veil's own functions), in preference to
 * its no-argument constructor.
 */
final class FunctionInstances {
  private final Map<ClassLoader, FunctionInstanceInjector> injectors = new ConcurrentHashMap<>();
  private final FunctionInstanceInjector scoped;

  FunctionInstances(HostScope scope) {
    this.scoped =
        new FunctionInstanceInjector() {
          @Override
          public <T> T getInstance(Class<T> type) throws Exception {
            try {
              return type.getConstructor(HostScope.class).newInstance(scope);
            } catch (InvocationTargetException e) {
              throw e.getCause() instanceof Exception cause ? cause : e;
            }
          }
        };
  }

  /**
   * The injector for the app that {@code functionClass} belongs to.
   *
   * @throws IllegalStateException when the app registers more than one injector, or registers none
   *     and the class has neither a public {@link HostScope} constructor nor a public no-argument
   *     one
   */
  FunctionInstanceInjector injectorFor(Class<?> functionClass) {
    ClassLoader loader = functionClass.getClassLoader();
    FunctionInstanceInjector injector =
        loader == null ? null : injectors.computeIfAbsent(loader, FunctionInstances::load);
    if (injector != null && injector != DEFAULT) return injector;
    try {
      functionClass.getConstructor(HostScope.class);
      return scoped;
    } catch (NoSuchMethodException e) {
      // no scope constructor: the default constructor below
    }
    try {
      functionClass.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(
          functionClass.getName()
              + " needs a public no-argument constructor"
              + " (or the app registers a "
              + FunctionInstanceInjector.class.getName()
              + ")");
    }
    return DEFAULT;
  }

  private static FunctionInstanceInjector load(ClassLoader loader) {
    // The app's loader is the context loader while the injector is created, so its static set-up
    // finds the app's classes.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      Iterator<FunctionInstanceInjector> found =
          ServiceLoader.load(FunctionInstanceInjector.class, loader).iterator();
      if (!found.hasNext()) return DEFAULT;
      FunctionInstanceInjector injector = found.next();
      if (found.hasNext()) {
        throw new IllegalStateException(
            "the app registers more than one "
                + FunctionInstanceInjector.class.getName()
                + ": "
                + injector.getClass().getName()
                + " and "
                + found.next().getClass().getName());
      }
      return injector;
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "the app's "
              + FunctionInstanceInjector.class.getName()
              + " cannot be created: "
              + e.getMessage(),
          e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** Without an app injector: a new instance from the public no-argument constructor. */
  static final FunctionInstanceInjector DEFAULT =
      new FunctionInstanceInjector() {
        @Override
        public <T> T getInstance(Class<T> type) throws Exception {
          try {
            return type.getConstructor().newInstance();
          } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
          }
        }
      };
}
