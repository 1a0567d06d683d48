package io.strata.server;

import io.strata.server.config.ConfigParser;
import io.strata.server.config.Logging;
import io.strata.server.config.ParseOutcome;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code strata} command: etcd's flags in, a running member out. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ParseOutcome outcome = ConfigParser.parse(args, System.getenv());
    if (outcome instanceof ParseOutcome.PrintAndExit print) {
      PrintStream out = print.toStderr() ? System.err : System.out;
      out.print(print.text());
      out.flush();
      System.exit(print.exitCode());
      return;
    }
    ParseOutcome.Run run = (ParseOutcome.Run) outcome;
    Logging.configure(run.config());
    Logging.log(run.notes());
    Logger log = LoggerFactory.getLogger(Main.class);
    try {
      StrataServer server = StrataServer.start(run.config());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    } catch (Exception e) {
      log.error("failed to start", e);
      System.exit(1);
    }
  }
}
