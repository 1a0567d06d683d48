package io.strata.mvcc;

import java.io.File;
import java.lang.reflect.Method;
import net.openhft.chronicle.values.ValueModel;
import net.openhft.compiler.CachedCompiler;

/**
 * Writes, at build time, the class that Chronicle Map would otherwise generate and compile
 * with javac the first time a map is created in a process: about a second of every start-up,
 * spent before the store can open. Chronicle looks for the class on the class path before it
 * generates one, so the class written into the module's classes is the one it uses.
 *
 * <p>Run by the build with the classes directory as the only argument.
 */
final class ChronicleClassWriter {
  /** The value interfaces whose native implementations a map of byte arrays needs. */
  private static final String[] VALUE_INTERFACES = {
      "net.openhft.chronicle.hash.VanillaGlobalMutableState"};

  private ChronicleClassWriter() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ChronicleClassWriter <classes directory>");
    }
    File classes = new File(args[0]);
    // Chronicle's source generator is not public; the build pins its version.
    Method generate = Class.forName("net.openhft.chronicle.values.Generators")
        .getDeclaredMethod("generateNativeClass", ValueModel.class, String.class);
    generate.setAccessible(true);
    try (CachedCompiler compiler = new CachedCompiler(null, classes)) {
      for (String name : VALUE_INTERFACES) {
        Class<?> valueInterface = Class.forName(name);
        String simpleName = name.substring(name.lastIndexOf('.') + 1) + "$$Native";
        String source = (String) generate.invoke(null, ValueModel.acquire(valueInterface),
            simpleName);
        String className = valueInterface.getPackageName() + "." + simpleName;
        compiler.loadFromJava(ChronicleClassWriter.class.getClassLoader(), className, source);
        File written = new File(classes, className.replace('.', '/') + ".class");
        if (!written.isFile()) {
          throw new IllegalStateException("no class file written for " + className);
        }
      }
    }
  }
}
