/** Reading and writing rlgrad's file formats' shared parts: {@link org.rlgrad.engine.io.Json}. */
package org.rlgrad.engine.io;
