// One record lane (docs/record-engine.md): input frame FIFO -> front end (slot lookup, checks,
// nonce / AAD, header strip via axis_rechunk) -> gcm_core -> back end (output header, data,
// tag via a second axis_rechunk used as a packer) -> output frame FIFO (commit by length, so an
// authentication failure or TLS 1.3 padding releases nothing it must not).
//
// Front and back run concurrently, linked by a record-info FIFO, so record N's output overlaps
// record N+1's input. Byte order: stream beats are little-endian in bytes (byte 0 in [7:0]);
// gcm_core blocks are big-endian (byte 0 in [127:120]); bswap128 converts.
module record_lane #(
  parameter int unsigned SLOTS      = 1024,
  parameter int unsigned FIFO_BEATS = 4096,
  parameter int unsigned AW         = (SLOTS > 1) ? $clog2(SLOTS) : 1
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // input stream
  input  logic [127:0]  s_tdata_i,
  input  logic [15:0]   s_tkeep_i,
  input  logic          s_tlast_i,
  input  logic          s_tvalid_i,
  output logic          s_tready_o,
  input  logic [63:0]   s_tuser_i,
  // output stream
  output logic [127:0]  m_tdata_o,
  output logic [15:0]   m_tkeep_o,
  output logic          m_tlast_o,
  output logic          m_tvalid_o,
  input  logic          m_tready_i,
  output logic [47:0]   m_tuser_o,
  // key table lookup (data valid with lk_rvalid_i)
  output logic          lk_req_o,
  output logic [AW-1:0] lk_slot_o,
  output logic          lk_op_o,
  input  logic          lk_gnt_i,
  input  logic          lk_rvalid_i,
  input  logic [868:0]  ctx_i,
  input  logic [79:0]   seq_i,
  // per-slot counter update
  output logic          cu_req_o,
  output logic [AW-1:0] cu_slot_o,
  output logic          cu_ok_o,
  output logic          cu_auth_o,
  output logic [15:0]   cu_bytes_o,
  input  logic          cu_gnt_i,
  // total counter events (one cycle per committed frame)
  output logic          cnt_ok_o,
  output logic [15:0]   cnt_bytes_o,
  output logic          cnt_auth_o,
  output logic          cnt_err_o
);
  localparam logic [1:0] FrTls12 = mediasec_regs_pkg::FRAMING_TLS12;
  localparam logic [1:0] FrTls13 = mediasec_regs_pkg::FRAMING_TLS13;
  localparam logic [1:0] FrDtls  = mediasec_regs_pkg::FRAMING_DTLS12;
  localparam logic [3:0] StOk       = mediasec_regs_pkg::STATUS_OK;
  localparam logic [3:0] StAuthFail = mediasec_regs_pkg::STATUS_AUTH_FAIL;
  localparam logic [3:0] StBadSlot  = mediasec_regs_pkg::STATUS_BAD_SLOT;
  localparam logic [3:0] StBadDir   = mediasec_regs_pkg::STATUS_BAD_DIRECTION;
  localparam logic [3:0] StBadLen   = mediasec_regs_pkg::STATUS_BAD_LENGTH;
  localparam logic [3:0] StBadRec   = mediasec_regs_pkg::STATUS_BAD_RECORD;
  localparam logic [3:0] StBadEpoch = mediasec_regs_pkg::STATUS_BAD_EPOCH;
  localparam logic [16:0] MaxData   = 17'(mediasec_regs_pkg::MAX_DATA_BYTES);
  // Input frames longer than this many beats are cut (and fail BAD_LENGTH); two such frames fit
  // in the input FIFO, so a frame never waits for space taken by a frame not yet committed.
  localparam int unsigned MaxInBeats = FIFO_BEATS / 2;

  function automatic logic [127:0] bswap128(input logic [127:0] x);
    for (int i = 0; i < 16; i++) bswap128[i*8 +: 8] = x[(15 - i)*8 +: 8];
  endfunction

  function automatic logic [4:0] popcount16(input logic [15:0] k);
    popcount16 = '0;
    for (int i = 0; i < 16; i++) popcount16 = popcount16 + {4'h0, k[i]};
  endfunction

  function automatic logic [4:0] min16(input logic [16:0] n);
    min16 = (|n[16:4]) ? 5'd16 : n[4:0];  // an OR, not a comparator's carry chain
  endfunction

  logic [2:0] unused_cnt1, unused_cnt2, unused_cnt3, unused_cnt4, unused_cnt5;

  // ================================================================ input frame FIFO
  // user: {stored bytes[15:0], bad length flag, tuser[63:0]}
  localparam int unsigned InUserW = 16 + 1 + 64;
  logic          in_first_q;
  logic [63:0]   in_tuser_q, in_tuser;
  logic [16:0]   in_bytes_q, in_bytes_next;   // bytes seen in the frame (saturating)
  logic [15:0]   in_stored_q, in_stored_next; // bytes written to the FIFO
  logic [15:0]   in_beats_q;
  logic          in_cut;                      // beat not stored: frame too long
  logic          inf_wr_ready, inf_commit_ready, in_fire;
  logic [4:0]    in_nbytes;

  assign in_tuser       = in_first_q ? s_tuser_i : in_tuser_q;
  assign in_nbytes      = popcount16(s_tkeep_i);
  assign in_cut         = (32'(in_beats_q) >= MaxInBeats);
  assign s_tready_o     = inf_wr_ready && inf_commit_ready;
  assign in_fire        = s_tvalid_i && s_tready_o;
  assign in_bytes_next  = in_bytes_q + ((in_bytes_q[16]) ? 17'd0 : {12'h0, in_nbytes});
  assign in_stored_next = in_cut ? in_stored_q : in_stored_q + {11'h0, in_nbytes};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_first_q  <= 1'b1;
      in_tuser_q  <= '0;
      in_bytes_q  <= '0;
      in_stored_q <= '0;
      in_beats_q  <= '0;
    end else if (in_fire) begin
      in_first_q <= s_tlast_i;
      if (in_first_q) in_tuser_q <= s_tuser_i;
      if (s_tlast_i) begin
        in_bytes_q  <= '0;
        in_stored_q <= '0;
        in_beats_q  <= '0;
      end else begin
        in_bytes_q  <= in_bytes_next;
        in_stored_q <= in_stored_next;
        if (!in_cut) in_beats_q <= in_beats_q + 16'd1;
      end
    end
  end

  logic               inf_valid, inf_ready, inf_last;
  logic [127:0]       inf_data;
  logic [15:0]        inf_keep;
  logic [InUserW-1:0] inf_user;
  logic               in_bad_len;

  // tuser.len must equal the bytes of the frame; a cut frame never matches.
  assign in_bad_len = (in_bytes_next != {1'b0, in_tuser[47:32]}) || in_cut;

  frame_fifo #(.DEPTH(FIFO_BEATS), .DESC_DEPTH(16), .USER_W(InUserW)) u_in_fifo (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .wr_valid_i    (in_fire && !in_cut),
    .wr_ready_o    (inf_wr_ready),
    .wr_data_i     (s_tdata_i),
    .commit_i      (in_fire && s_tlast_i),
    .rollback_i    (1'b0),
    .commit_ready_o(inf_commit_ready),
    .user_i        ({in_stored_next, in_bad_len, in_tuser}),
    .len_i         (in_stored_next),
    .m_valid_o     (inf_valid),
    .m_ready_i     (inf_ready),
    .m_data_o      (inf_data),
    .m_keep_o      (inf_keep),
    .m_last_o      (inf_last),
    .m_user_o      (inf_user)
  );

  // ================================================================ front rechunker
  // Frame descriptors enter a small FIFO when the frame's first beat enters the rechunker.
  logic        rd_first_q;
  logic        fi_full, fi_empty, fi_pop;
  logic [InUserW-1:0] fi_head;
  logic        rk_in_valid, rk_in_ready;
  logic [4:0]  rk_size;
  logic        rk_out_valid, rk_out_ready;
  logic [127:0] rk_out;

  assign rk_in_valid = inf_valid && !(rd_first_q && fi_full);
  assign inf_ready   = rk_in_ready && !(rd_first_q && fi_full);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rd_first_q <= 1'b1;
    else if (inf_valid && inf_ready) rd_first_q <= inf_last;
  end

  sync_fifo #(.WIDTH(InUserW), .DEPTH(4)) u_frame_info (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (inf_valid && inf_ready && rd_first_q),
    .data_i (inf_user),
    .full_o (fi_full),
    .pop_i  (fi_pop),
    .data_o (fi_head),
    .empty_o(fi_empty),
    .count_o(unused_cnt1)
  );

  axis_rechunk u_front_rk (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (rk_in_valid),
    .in_ready_o (rk_in_ready),
    .in_data_i  (inf_data),
    .in_bytes_i (popcount16(inf_keep)),
    .out_size_i (rk_size),
    .out_valid_o(rk_out_valid),
    .out_ready_i(rk_out_ready),
    .out_data_o (rk_out)
  );

  // ================================================================ front end
  localparam logic [3:0] FIdle   = 4'd0;
  localparam logic [3:0] FLookup = 4'd1;
  localparam logic [3:0] FWait   = 4'd2;
  localparam logic [3:0] FLen    = 4'd3;
  localparam logic [3:0] FHdr    = 4'd4;
  localparam logic [3:0] FHdrChk = 4'd5;
  localparam logic [3:0] FJob    = 4'd6;
  localparam logic [3:0] FAad    = 4'd7;
  localparam logic [3:0] FData   = 4'd8;
  localparam logic [3:0] FTag    = 4'd9;
  localparam logic [3:0] FErr    = 4'd10;
  localparam logic [3:0] FDrain  = 4'd11;

  logic [3:0]   fst_q, fst_d;
  // job descriptor
  logic [15:0]  j_slot_q, j_tlen_q, j_alen_q, j_n_q;
  logic         j_op_q, j_badlen_q;
  logic [7:0]   j_ctype_q;
  // slot context
  logic         c_valid_q, c_key256_q, c_dir_q;
  logic [1:0]   c_fr_q;
  logic [255:0] c_key_q;
  logic [95:0]  c_iv_q;
  logic [511:0] c_hpow_q;
  logic [63:0]  c_seq_q;
  logic [15:0]  c_epoch_q;
  // progress
  logic [3:0]   status_q, status_d;
  logic [191:0] hdr_q, hdr_d;         // received header bytes, byte 0 in [7:0]
  logic [4:0]   hdr_got_q, hdr_got_d;
  logic [4:0]   hdr_left_q, hdr_left_d;  // header bytes still to collect (kept, not subtracted each clock)
  logic [16:0]  left_q, left_d;       // stream bytes of the frame not yet taken
  logic [16:0]  part_q, part_d;       // stream bytes left in the current part (AAD / data)
  logic [16:0]  gdata_q, gdata_d;     // gcm data bytes left (TLS 1.3 PROTECT: one more than part)

  // lengths of this job
  logic [16:0]  n17, a17, data_len, hdr_len;
  logic         len_ok;
  always_comb begin
    n17 = {1'b0, j_n_q};
    a17 = {1'b0, j_alen_q};
    data_len = '0;
    hdr_len  = '0;
    len_ok   = 1'b0;
    if (j_op_q == mediasec_regs_pkg::OP_PROTECT) begin
      unique case (c_fr_q)
        FrTls13: begin data_len = n17 + 17'd1; len_ok = (n17 + 17'd1 <= MaxData); end
        mediasec_regs_pkg::FRAMING_RAW: begin
          data_len = n17 - a17;
          len_ok   = (a17 <= n17) && (n17 - a17 <= MaxData);
        end
        default: begin data_len = n17; len_ok = (n17 <= MaxData); end
      endcase
    end else begin
      unique case (c_fr_q)
        FrTls12: begin hdr_len = 17'd13; data_len = n17 - 17'd29; len_ok = (n17 >= 17'd29) && (n17 - 17'd29 <= MaxData); end
        FrTls13: begin hdr_len = 17'd5;  data_len = n17 - 17'd21; len_ok = (n17 >= 17'd22) && (n17 - 17'd21 <= MaxData); end
        FrDtls:  begin hdr_len = 17'd21; data_len = n17 - 17'd37; len_ok = (n17 >= 17'd37) && (n17 - 17'd37 <= MaxData); end
        default: begin
          data_len = n17 - a17 - 17'd16;
          len_ok   = (n17 >= a17 + 17'd16) && (n17 - a17 - 17'd16 <= MaxData);
        end
      endcase
    end
  end

  // header fields (UNPROTECT), byte i of the record = hdr_q[i*8 +: 8]
  function automatic logic [7:0] hb(input logic [191:0] h, input int i);
    hb = h[i*8 +: 8];
  endfunction
  logic [15:0] rec_len_field;
  logic        hdr_ok, epoch_ok;
  always_comb begin
    hdr_ok   = 1'b1;
    epoch_ok = 1'b1;
    rec_len_field = {hb(hdr_q, 3), hb(hdr_q, 4)};
    unique case (c_fr_q)
      FrTls12: hdr_ok = (hb(hdr_q, 1) == 8'h03) && (hb(hdr_q, 2) == 8'h03) && ({1'b0, rec_len_field} == n17 - 17'd5);
      FrTls13: hdr_ok = (hb(hdr_q, 0) == 8'h17) && (hb(hdr_q, 1) == 8'h03) && (hb(hdr_q, 2) == 8'h03) &&
                        ({1'b0, rec_len_field} == n17 - 17'd5);
      FrDtls: begin
        hdr_ok   = (hb(hdr_q, 1) == 8'hfe) && (hb(hdr_q, 2) == 8'hfd) &&
                   ({1'b0, hb(hdr_q, 11), hb(hdr_q, 12)} == n17 - 17'd13);
        epoch_ok = ({hb(hdr_q, 3), hb(hdr_q, 4)} == c_epoch_q);
      end
      default: ;
    endcase
  end

  // explicit nonce bytes as received (TLS 1.2: R[5..12]; DTLS: R[13..20]), big-endian
  logic [63:0] rx_explicit;
  always_comb begin
    rx_explicit = '0;
    for (int i = 0; i < 8; i++) begin
      rx_explicit[(7 - i)*8 +: 8] = (c_fr_q == FrDtls) ? hdr_q[(13 + i)*8 +: 8] : hdr_q[(5 + i)*8 +: 8];
    end
  end

  // nonce, AAD block (big-endian), output header (little-endian bytes) for the job
  logic [95:0]  nonce;
  logic [127:0] aad_block;
  logic [15:0]  aad_len;
  logic [15:0]  l16;          // plaintext length L (TLS/DTLS)
  logic [63:0]  dtls_e;       // epoch || seq48
  logic [167:0] out_hdr_be;   // output header, byte 0 in [167:160]
  logic [4:0]   out_hdr_len;
  logic [7:0]   out_ctype;
  logic [15:0]  count_bytes;
  logic [15:0]  rec_out_len;  // total bytes the back end writes for an OK record
  logic         is_prot;

  assign is_prot = (j_op_q == mediasec_regs_pkg::OP_PROTECT);
  assign l16     = data_len[15:0];
  assign dtls_e  = {c_epoch_q, c_seq_q[47:0]};

  always_comb begin
    nonce       = {c_iv_q[95:64], c_iv_q[63:0] ^ c_seq_q};
    aad_block   = '0;
    aad_len     = 16'd13;
    out_hdr_be  = '0;
    out_hdr_len = '0;
    out_ctype   = 8'h00;
    count_bytes = l16;
    unique case (c_fr_q)
      FrTls12: begin
        if (is_prot) begin
          nonce      = {c_iv_q[95:64], c_seq_q};
          aad_block  = {c_seq_q, j_ctype_q, 16'h0303, l16, 24'h0};
          out_hdr_be = {j_ctype_q, 16'h0303, l16 + 16'd24, c_seq_q, 64'h0};
          out_hdr_len = 5'd13;
        end else begin
          nonce     = {c_iv_q[95:64], rx_explicit};
          aad_block = {c_seq_q, hb(hdr_q, 0), 16'h0303, l16, 24'h0};
          out_ctype = hb(hdr_q, 0);
        end
      end
      FrTls13: begin
        aad_len = 16'd5;
        if (is_prot) begin
          aad_block   = {8'h17, 16'h0303, l16 + 16'd16, 88'h0};
          out_hdr_be  = {8'h17, 16'h0303, l16 + 16'd16, 128'h0};
          out_hdr_len = 5'd5;
          count_bytes = l16 - 16'd1;
        end else begin
          aad_block = {hb(hdr_q, 0), hb(hdr_q, 1), hb(hdr_q, 2), hb(hdr_q, 3), hb(hdr_q, 4), 88'h0};
        end
      end
      FrDtls: begin
        if (is_prot) begin
          nonce       = {c_iv_q[95:64], dtls_e};
          aad_block   = {dtls_e, j_ctype_q, 16'hfefd, l16, 24'h0};
          out_hdr_be  = {j_ctype_q, 16'hfefd, dtls_e, l16 + 16'd24, dtls_e};
          out_hdr_len = 5'd21;
        end else begin
          nonce = {c_iv_q[95:64], rx_explicit};
          for (int i = 0; i < 8; i++) aad_block[127 - i*8 -: 8] = hb(hdr_q, 3 + i);
          aad_block[63:24] = {hb(hdr_q, 0), 16'hfefd, l16};
          out_ctype = hb(hdr_q, 0);
        end
      end
      default: begin
        aad_len = j_alen_q;
      end
    endcase
    rec_out_len = {11'h0, out_hdr_len} + l16 + (is_prot ? 16'd16 : 16'd0);
  end

  // info for the back end: {status, slot, op, framing, ctype, hdr(LE 21 bytes), hdr_len,
  //                         data_len[14:0], count_bytes, out_len}
  localparam int unsigned BiW = 4 + 16 + 1 + 2 + 8 + 168 + 5 + 15 + 16 + 16;
  logic           bi_push, bi_full, bi_empty, bi_pop;
  logic [BiW-1:0] bi_data, bi_head;
  logic [167:0]   out_hdr_le;

  always_comb begin
    for (int i = 0; i < 21; i++) out_hdr_le[i*8 +: 8] = out_hdr_be[(20 - i)*8 +: 8];
  end

  assign bi_data = {status_q, j_slot_q, j_op_q, c_fr_q, out_ctype, out_hdr_le, out_hdr_len,
                    l16[14:0], count_bytes, rec_out_len};

  sync_fifo #(.WIDTH(BiW), .DEPTH(4)) u_back_info (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (bi_push),
    .data_i (bi_data),
    .full_o (bi_full),
    .pop_i  (bi_pop),
    .data_o (bi_head),
    .empty_o(bi_empty),
    .count_o(unused_cnt2)
  );

  // gcm_core
  logic         g_job_valid, g_job_ready;
  logic         g_in_valid, g_in_ready;
  logic [127:0] g_in_block;
  logic         g_out_valid, g_out_ready, g_out_last;
  logic [127:0] g_out_block;
  logic         g_res_valid, g_res_ready, g_res_ok;
  logic [127:0] g_res_tag;

  gcm_core u_gcm (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .job_valid_i   (g_job_valid),
    .job_ready_o   (g_job_ready),
    .job_key_i     (c_key_q),
    .job_key256_i  (c_key256_q),
    .job_hpow_i    (c_hpow_q),
    .job_nonce_i   (nonce),
    .job_decrypt_i (!is_prot),
    .job_aad_len_i (aad_len),
    .job_data_len_i(l16[14:0]),
    .in_valid_i    (g_in_valid),
    .in_ready_o    (g_in_ready),
    .in_block_i    (g_in_block),
    .out_valid_o   (g_out_valid),
    .out_ready_i   (g_out_ready),
    .out_block_o   (g_out_block),
    .out_last_o    (g_out_last),
    .res_valid_o   (g_res_valid),
    .res_ready_i   (g_res_ready),
    .res_tag_o     (g_res_tag),
    .res_tag_ok_o  (g_res_ok)
  );

  // TLS 1.3 PROTECT: the content type follows the plaintext inside the last data block.
  logic         tls13p;
  logic [127:0] data_le;
  assign tls13p = is_prot && (c_fr_q == FrTls13);
  always_comb begin
    data_le = rk_out;
    for (int i = 0; i < 16; i++) begin  // decoded, not a shifter
      if (tls13p && part_q < 17'd16 && part_q[3:0] == 4'(i)) data_le[i*8 +: 8] = j_ctype_q;
    end
  end

  // chunk size asked of the front rechunker in each state
  always_comb begin
    unique case (fst_q)
      FHdr:         rk_size = min16({12'h0, hdr_left_q});
      FAad, FData:  rk_size = min16(part_q);
      FTag:         rk_size = 5'd16;
      FDrain:       rk_size = min16(left_q);
      default:      rk_size = 5'd0;
    endcase
  end

  assign lk_slot_o = j_slot_q[AW-1:0];
  assign lk_op_o   = j_op_q;

  always_comb begin
    fst_d        = fst_q;
    status_d     = status_q;
    hdr_d        = hdr_q;
    hdr_got_d    = hdr_got_q;
    hdr_left_d   = hdr_left_q;
    left_d       = left_q;
    part_d       = part_q;
    gdata_d      = gdata_q;
    fi_pop       = 1'b0;
    lk_req_o     = 1'b0;
    rk_out_ready = 1'b0;
    bi_push      = 1'b0;
    g_job_valid  = 1'b0;
    g_in_valid   = 1'b0;
    g_in_block   = '0;
    unique case (fst_q)
      FIdle: begin
        if (!fi_empty) begin
          fi_pop   = 1'b1;
          status_d = StOk;
          left_d   = {1'b0, fi_head[80:65]};
          fst_d    = (32'(fi_head[15:0]) >= SLOTS) ? FErr : FLookup;
          if (32'(fi_head[15:0]) >= SLOTS) status_d = StBadSlot;
        end
      end
      FLookup: begin
        lk_req_o = 1'b1;
        if (lk_gnt_i) fst_d = FWait;
      end
      FWait: begin
        if (lk_rvalid_i) begin
          if (!ctx_i[0]) begin
            status_d = StBadSlot;
            fst_d    = FErr;
          end else if (ctx_i[4] != j_op_q) begin
            status_d = StBadDir;
            fst_d    = FErr;
          end else begin
            fst_d = FLen;
          end
        end
      end
      FLen: begin
        hdr_got_d = '0;
        hdr_left_d = hdr_len[4:0];
        hdr_d     = '0;
        if (j_badlen_q || !len_ok) begin
          status_d = StBadLen;
          fst_d    = FErr;
        end else if (hdr_len != 17'd0) begin
          fst_d = FHdr;
        end else begin
          fst_d = FJob;
        end
      end
      FHdr: begin
        rk_out_ready = 1'b1;
        if (rk_out_valid) begin
          hdr_d     = hdr_q | ({64'h0, rk_out} << {hdr_got_q, 3'b000});
          hdr_got_d = hdr_got_q + rk_size;
          hdr_left_d = hdr_left_q - rk_size;
          left_d    = left_q - {12'h0, rk_size};
          if (hdr_left_q <= 5'd16) fst_d = FHdrChk;
        end
      end
      FHdrChk: begin
        if (!hdr_ok) begin
          status_d = StBadRec;
          fst_d    = FErr;
        end else if (!epoch_ok) begin
          status_d = StBadEpoch;
          fst_d    = FErr;
        end else begin
          fst_d = FJob;
        end
      end
      FJob: begin
        if (g_job_ready && !bi_full) begin
          g_job_valid = 1'b1;
          bi_push     = 1'b1;
          gdata_d     = data_len;
          if (c_fr_q == mediasec_regs_pkg::FRAMING_RAW) begin
            part_d = (a17 != 17'd0) ? a17 : data_len;
            fst_d  = (a17 != 17'd0) ? FAad : FData;
          end else begin
            part_d = tls13p ? data_len - 17'd1 : data_len;
            fst_d  = FAad;
          end
          if (c_fr_q == mediasec_regs_pkg::FRAMING_RAW && a17 == 17'd0 && data_len == 17'd0)
            fst_d = is_prot ? FIdle : FTag;
        end
      end
      FAad: begin
        if (c_fr_q != mediasec_regs_pkg::FRAMING_RAW) begin
          // one generated block
          g_in_valid = 1'b1;
          g_in_block = aad_block;
          if (g_in_ready) fst_d = (gdata_q != 17'd0) ? FData : (is_prot ? FIdle : FTag);
        end else begin
          g_in_valid   = rk_out_valid;
          g_in_block   = bswap128(rk_out);
          rk_out_ready = g_in_ready;
          if (rk_out_valid && g_in_ready) begin
            left_d = left_q - {12'h0, rk_size};
            part_d = part_q - {12'h0, rk_size};
            if (part_q <= 17'd16) begin
              part_d = gdata_q;
              fst_d  = (gdata_q != 17'd0) ? FData : (is_prot ? FIdle : FTag);
            end
          end
        end
      end
      FData: begin
        g_in_valid   = rk_out_valid;
        g_in_block   = bswap128(data_le);
        rk_out_ready = g_in_ready;
        if (rk_out_valid && g_in_ready) begin
          left_d  = left_q - {12'h0, rk_size};
          part_d  = part_q - {12'h0, rk_size};
          gdata_d = gdata_q - {12'h0, min16(gdata_q)};
          if (gdata_q <= 17'd16) fst_d = is_prot ? FIdle : FTag;
        end
      end
      FTag: begin
        g_in_valid   = rk_out_valid;
        g_in_block   = bswap128(rk_out);
        rk_out_ready = g_in_ready;
        if (rk_out_valid && g_in_ready) begin
          left_d = left_q - 17'd16;
          fst_d  = FIdle;
        end
      end
      FErr: begin
        if (!bi_full) begin
          bi_push = 1'b1;
          fst_d   = (left_q != 17'd0) ? FDrain : FIdle;
        end
      end
      FDrain: begin
        rk_out_ready = 1'b1;
        if (rk_out_valid) begin
          left_d = left_q - {12'h0, rk_size};
          if (left_q <= 17'd16) fst_d = FIdle;
        end
      end
      default: fst_d = FIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fst_q      <= FIdle;
      status_q   <= '0;
      hdr_q      <= '0;
      hdr_got_q  <= '0;
      hdr_left_q <= '0;
      left_q     <= '0;
      part_q     <= '0;
      gdata_q    <= '0;
      j_slot_q   <= '0;
      j_tlen_q   <= '0;
      j_alen_q   <= '0;
      j_n_q      <= '0;
      j_op_q     <= 1'b0;
      j_badlen_q <= 1'b0;
      j_ctype_q  <= '0;
      c_valid_q  <= 1'b0;
      c_key256_q <= 1'b0;
      c_dir_q    <= 1'b0;
      c_fr_q     <= '0;
      c_key_q    <= '0;
      c_iv_q     <= '0;
      c_hpow_q   <= '0;
      c_seq_q    <= '0;
      c_epoch_q  <= '0;
    end else begin
      fst_q     <= fst_d;
      status_q  <= status_d;
      hdr_q     <= hdr_d;
      hdr_got_q <= hdr_got_d;
      hdr_left_q <= hdr_left_d;
      left_q    <= left_d;
      part_q    <= part_d;
      gdata_q   <= gdata_d;
      if (fi_pop) begin
        j_slot_q   <= fi_head[15:0];
        j_op_q     <= fi_head[16];
        j_ctype_q  <= fi_head[31:24];
        j_tlen_q   <= fi_head[47:32];
        j_alen_q   <= fi_head[63:48];
        j_badlen_q <= fi_head[64];
        j_n_q      <= fi_head[80:65];
        c_fr_q     <= '0;
      end
      if (fst_q == FWait && lk_rvalid_i) begin
        c_valid_q  <= ctx_i[0];
        c_key256_q <= ctx_i[1];
        c_fr_q     <= ctx_i[3:2];
        c_dir_q    <= ctx_i[4];
        c_key_q    <= ctx_i[260:5];
        c_iv_q     <= ctx_i[356:261];
        c_hpow_q   <= ctx_i[868:357];
        c_seq_q    <= seq_i[63:0];
        c_epoch_q  <= seq_i[79:64];
      end
    end
  end

  // ================================================================ back end
  logic [3:0]   b_status;
  logic [15:0]  b_slot;
  logic         b_op;
  logic [1:0]   b_fr;
  logic [7:0]   b_ctype;
  logic [167:0] b_hdr;
  logic [4:0]   b_hdr_len;
  logic [14:0]  b_data_len;
  logic [15:0]  b_count_bytes, b_out_len;
  // The record the back end works on: latched when its info leaves the FIFO (bi_head then
  // already shows the next record).
  logic [BiW-1:0] b_info_q;
  assign {b_status, b_slot, b_op, b_fr, b_ctype, b_hdr, b_hdr_len, b_data_len, b_count_bytes,
          b_out_len} = b_info_q;
  // The head of the FIFO, for the decision taken as it leaves.
  logic [3:0]   h_status;
  logic [15:0]  h_slot;
  logic [4:0]   h_hdr_len;
  logic [14:0]  h_data_len;
  logic [15:0]  h_out_len;
  assign h_status   = bi_head[BiW-1 -: 4];
  assign h_slot     = bi_head[BiW-5 -: 16];
  assign h_hdr_len  = bi_head[5 + 15 + 16 + 16 - 1 -: 5];
  assign h_data_len = bi_head[15 + 16 + 16 - 1 -: 15];
  assign h_out_len  = bi_head[15:0];

  localparam logic [2:0] BIdle = 3'd0;
  localparam logic [2:0] BHdr  = 3'd1;
  localparam logic [2:0] BData = 3'd2;
  localparam logic [2:0] BRes  = 3'd3;
  localparam logic [2:0] BTag  = 3'd4;

  // verdict for the out writer: {status, slot, ctype, out len, count bytes}
  localparam int unsigned VdW = 4 + 16 + 8 + 16 + 16;
  logic           vd_push, vd_full, vd_empty, vd_pop;
  logic [VdW-1:0] vd_data, vd_head;
  logic           sz_push, sz_full, sz_empty, sz_pop;
  logic [15:0]    sz_data, sz_head;

  logic [2:0]   bst_q, bst_d;
  logic [4:0]   b_hdr_sent_q, b_hdr_sent_d;
  logic [14:0]  b_left_q, b_left_d;       // data bytes still to come from gcm_core
  logic [14:0]  b_pos_q, b_pos_d;         // data bytes seen
  logic         b_nz_q, b_nz_d;           // TLS 1.3 UNPROTECT: a non-zero byte seen
  logic [14:0]  b_nz_pos_q, b_nz_pos_d;   // its position (last one)
  logic [7:0]   b_nz_val_q, b_nz_val_d;
  logic [127:0] b_tag_q;

  // packer
  logic         pk_in_valid, pk_in_ready;
  logic [127:0] pk_in_data;
  logic [4:0]   pk_in_bytes;

  logic [127:0] gout_le;
  logic [4:0]   gout_n;
  logic         blk_nz;
  logic [3:0]   blk_nz_idx;
  assign gout_le = bswap128(g_out_block);
  assign gout_n  = (b_left_q >= 15'd16) ? 5'd16 : b_left_q[4:0];
  logic [7:0]   blk_nz_val;  // the last non-zero byte of the block
  always_comb begin
    blk_nz     = 1'b0;
    blk_nz_idx = '0;
    blk_nz_val = '0;
    for (int i = 0; i < 16; i++) begin
      if (5'(i) < gout_n && gout_le[i*8 +: 8] != 8'h00) begin
        blk_nz     = 1'b1;
        blk_nz_idx = 4'(i);
        blk_nz_val = gout_le[i*8 +: 8];
      end
    end
  end

  always_comb begin
    bst_d        = bst_q;
    b_hdr_sent_d = b_hdr_sent_q;
    b_left_d     = b_left_q;
    b_pos_d      = b_pos_q;
    b_nz_d       = b_nz_q;
    b_nz_pos_d   = b_nz_pos_q;
    b_nz_val_d   = b_nz_val_q;
    bi_pop       = 1'b0;
    vd_push      = 1'b0;
    vd_data      = '0;
    sz_push      = 1'b0;
    sz_data      = '0;
    pk_in_valid  = 1'b0;
    pk_in_data   = '0;
    pk_in_bytes  = '0;
    g_out_ready  = 1'b0;
    g_res_ready  = 1'b0;
    unique case (bst_q)
      BIdle: begin
        if (!bi_empty && !sz_full && !vd_full) begin
          bi_pop       = 1'b1;
          sz_push      = 1'b1;
          b_hdr_sent_d = '0;
          b_left_d     = h_data_len;
          b_pos_d      = '0;
          b_nz_d       = 1'b0;
          if (h_status != StOk) begin
            sz_data = 16'd0;
            vd_push = 1'b1;
            vd_data = {h_status, h_slot, 8'h00, 16'h0, 16'h0};
          end else begin
            sz_data = h_out_len;
            bst_d   = (h_hdr_len != 5'd0) ? BHdr : ((h_data_len != 15'd0) ? BData : BRes);
          end
        end
      end
      BHdr: begin
        pk_in_valid = 1'b1;
        pk_in_data  = b_hdr_sent_q == 5'd0 ? b_hdr[127:0] : {88'h0, b_hdr[167:128]};
        pk_in_bytes = (b_hdr_len - b_hdr_sent_q >= 5'd16) ? 5'd16 : b_hdr_len - b_hdr_sent_q;
        if (pk_in_ready) begin
          b_hdr_sent_d = b_hdr_sent_q + pk_in_bytes;
          if (b_hdr_sent_q + pk_in_bytes == b_hdr_len) bst_d = (b_data_len != 15'd0) ? BData : BRes;
        end
      end
      BData: begin
        pk_in_valid = g_out_valid;
        pk_in_data  = gout_le;
        pk_in_bytes = gout_n;
        g_out_ready = pk_in_ready;
        if (g_out_valid && pk_in_ready) begin
          b_left_d = b_left_q - {10'h0, gout_n};
          b_pos_d  = b_pos_q + {10'h0, gout_n};
          if (blk_nz) begin
            b_nz_d     = 1'b1;
            b_nz_pos_d = b_pos_q + {11'h0, blk_nz_idx};
            b_nz_val_d = blk_nz_val;
          end
          if (b_left_q <= 15'd16) bst_d = BRes;
        end
      end
      BRes: begin
        if (g_res_valid) begin
          g_res_ready = 1'b1;
          if (b_op == mediasec_regs_pkg::OP_PROTECT) begin
            bst_d = BTag;
          end else begin
            vd_push = 1'b1;
            bi_pop  = 1'b0;
            bst_d   = BIdle;
            if (!g_res_ok) begin
              vd_data = {StAuthFail, b_slot, 8'h00, 16'h0, 16'h0};
            end else if (b_fr == FrTls13) begin
              if (b_nz_q) vd_data = {StOk, b_slot, b_nz_val_q, {1'b0, b_nz_pos_q}, {1'b0, b_nz_pos_q}};
              else        vd_data = {StBadRec, b_slot, 8'h00, 16'h0, 16'h0};
            end else begin
              vd_data = {StOk, b_slot, b_ctype, {1'b0, b_data_len}, b_count_bytes};
            end
          end
        end
      end
      BTag: begin
        pk_in_valid = 1'b1;
        pk_in_data  = bswap128(b_tag_q);
        pk_in_bytes = 5'd16;
        if (pk_in_ready) begin
          vd_push = 1'b1;
          vd_data = {StOk, b_slot, 8'h00, b_out_len, b_count_bytes};
          bst_d   = BIdle;
        end
      end
      default: bst_d = BIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bst_q        <= BIdle;
      b_hdr_sent_q <= '0;
      b_left_q     <= '0;
      b_pos_q      <= '0;
      b_nz_q       <= 1'b0;
      b_nz_pos_q   <= '0;
      b_nz_val_q   <= '0;
      b_tag_q      <= '0;
      b_info_q     <= '0;
    end else begin
      bst_q        <= bst_d;
      b_hdr_sent_q <= b_hdr_sent_d;
      b_left_q     <= b_left_d;
      b_pos_q      <= b_pos_d;
      b_nz_q       <= b_nz_d;
      b_nz_pos_q   <= b_nz_pos_d;
      b_nz_val_q   <= b_nz_val_d;
      if (g_res_valid && g_res_ready) b_tag_q <= g_res_tag;
      if (bi_pop) b_info_q <= bi_head;
    end
  end

  sync_fifo #(.WIDTH(16), .DEPTH(4)) u_size (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(sz_push), .data_i(sz_data), .full_o(sz_full),
    .pop_i(sz_pop), .data_o(sz_head), .empty_o(sz_empty), .count_o(unused_cnt3));

  sync_fifo #(.WIDTH(VdW), .DEPTH(4)) u_verdict (
    .clk_i(clk_i), .rst_ni(rst_ni), .push_i(vd_push), .data_i(vd_data), .full_o(vd_full),
    .pop_i(vd_pop), .data_o(vd_head), .empty_o(vd_empty), .count_o(unused_cnt4));

  // ================================================================ packer and out writer
  logic         pk_out_valid, pk_out_ready;
  logic [127:0] pk_out;
  logic [4:0]   pk_size;

  axis_rechunk u_packer (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .in_valid_i (pk_in_valid),
    .in_ready_o (pk_in_ready),
    .in_data_i  (pk_in_data),
    .in_bytes_i (pk_in_bytes),
    .out_size_i (pk_size),
    .out_valid_o(pk_out_valid),
    .out_ready_i(pk_out_ready),
    .out_data_o (pk_out)
  );

  logic [3:0]  vd_status;
  logic [15:0] vd_slot, vd_len, vd_count;
  logic [7:0]  vd_ctype;
  assign {vd_status, vd_slot, vd_ctype, vd_len, vd_count} = vd_head;

  logic        w_active_q;
  logic [15:0] w_left_q;
  logic        of_wr_ready, of_commit_ready;
  logic        w_last_chunk, w_commit, w_write;
  logic        cu_full, cu_empty, cu_push, cu_needed;
  logic [AW+18-1:0] cu_head;

  assign pk_size      = (w_left_q >= 16'd16) ? 5'd16 : w_left_q[4:0];
  assign w_last_chunk = w_active_q && (w_left_q <= 16'd16);
  // Per-slot counters are kept for OK and AUTH_FAIL (the slot exists and was loaded).
  assign cu_needed    = (vd_status == StOk) || (vd_status == StAuthFail);
  // commit: the frame's last chunk (or a frame of no bytes) together with its verdict
  assign w_commit = !vd_empty && of_commit_ready && !(cu_needed && cu_full) &&
                    ((w_active_q && w_last_chunk && pk_out_valid && of_wr_ready) ||
                     (!w_active_q && !sz_empty && sz_head == 16'd0));
  assign w_write  = w_active_q && pk_out_valid && of_wr_ready && (!w_last_chunk || w_commit);
  assign pk_out_ready = w_write;
  assign sz_pop   = !w_active_q && !sz_empty && (sz_head != 16'd0 || w_commit);
  assign vd_pop   = w_commit;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_active_q <= 1'b0;
      w_left_q   <= '0;
    end else begin
      if (!w_active_q && !sz_empty && sz_head != 16'd0) begin
        w_active_q <= 1'b1;
        w_left_q   <= sz_head;
      end else if (w_write) begin
        w_left_q <= w_left_q - {11'h0, pk_size};
        if (w_last_chunk) w_active_q <= 1'b0;
      end
    end
  end

  frame_fifo #(.DEPTH(FIFO_BEATS), .DESC_DEPTH(16), .USER_W(48)) u_out_fifo (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .wr_valid_i    (w_write),
    .wr_ready_o    (of_wr_ready),
    .wr_data_i     (pk_out),
    .commit_i      (w_commit),
    .rollback_i    (1'b0),
    .commit_ready_o(of_commit_ready),
    .user_i        ({(vd_status == StOk) ? vd_len : 16'h0, vd_ctype, 4'h0, vd_status, vd_slot}),
    .len_i         ((vd_status == StOk) ? vd_len : 16'h0),
    .m_valid_o     (m_tvalid_o),
    .m_ready_i     (m_tready_i),
    .m_data_o      (m_tdata_o),
    .m_keep_o      (m_tkeep_o),
    .m_last_o      (m_tlast_o),
    .m_user_o      (m_tuser_o)
  );

  // counters
  assign cnt_ok_o    = w_commit && (vd_status == StOk);
  assign cnt_auth_o  = w_commit && (vd_status == StAuthFail);
  assign cnt_err_o   = w_commit && !cu_needed;
  assign cnt_bytes_o = vd_count;
  assign cu_push     = w_commit && cu_needed;

  sync_fifo #(.WIDTH(AW + 18), .DEPTH(4)) u_cu (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .push_i (cu_push),
    .data_i ({vd_slot[AW-1:0], vd_status == StOk, vd_status == StAuthFail, vd_count}),
    .full_o (cu_full),
    .pop_i  (cu_gnt_i),
    .data_o (cu_head),
    .empty_o(cu_empty),
    .count_o(unused_cnt5)
  );
  assign cu_req_o = !cu_empty;
  assign {cu_slot_o, cu_ok_o, cu_auth_o, cu_bytes_o} = cu_head;

  logic unused;
  assign unused = ^{b_status, unused_cnt1, unused_cnt2, unused_cnt3, unused_cnt4, unused_cnt5, fi_head[23:17], c_valid_q, c_dir_q, j_tlen_q, g_out_last, vd_slot, b_pos_q, b_fr,
                    in_beats_q, in_bytes_q};
endmodule
