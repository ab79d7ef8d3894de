// The first epoch of an `npm run mnist` log ("data: ...: 60000 train, 10000 test",
// "epoch 1/1 ... test acc 87.30%  3.8s"), for the bench's GPU and CPU rows.
export function epochOf(log) {
  const data = /(\d+) train, (\d+) test/.exec(log), time = /epoch 1\/1 .* ([\d.]+)s/.exec(log);
  const acc = /test acc ([\d.]+)%/.exec(log);
  return data && time ? { train: Number(data[1]), test: Number(data[2]), seconds: Number(time[1]), testAccuracy: acc && Number(acc[1]) } : null;
}
